import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureServices, ServiceUnavailableError } from '@parley/devservices';
import { commonConfig, connectNats, ensureDevKeys, envInt, envString, names, provision, type Env } from '@parley/platform';
import { createOrm, migrate } from '@parley/read-model';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '../../..');

type Child = { name: string; process: ChildProcess; health?: string };

const say = (line: string) => process.stdout.write(`[parley] ${line}\n`);

/**
 * `npm start`: the whole system on one machine. Uses NATS and Postgres at
 * NATS_URL / DATABASE_URL or on their default local ports, else starts them
 * (devservices); migrates; provisions streams; runs every app as its own
 * process (two gateway nodes); prints the URLs; Ctrl-C stops everything.
 */
export async function startCommand(env: Env): Promise<void> {
  const common = commonConfig(env, REPO);
  let services;
  try {
    services = await ensureServices({
      natsUrl: env['NATS_URL'],
      postgresUrl: env['DATABASE_URL'],
      dataDir: common.dataDir,
      searchPath: env['PATH'],
      log: say,
    });
  } catch (error) {
    if (error instanceof ServiceUnavailableError) {
      say(error.message);
      process.exit(1);
    }
    throw error;
  }
  for (const line of services.started) say(line);
  const databaseUrl = env['DATABASE_URL'] || withDatabase(services.postgresUrl, 'parley');
  const keys = await ensureDevKeys(common.dataDir);

  const orm = await createOrm(databaseUrl);
  const applied = await migrate(orm);
  await orm.close();
  say(applied.length ? `migrated: ${applied.join(', ')}` : 'database is up to date');
  const nc = await connectNats(services.natsUrl, 'parley-start');
  await provision(nc, names(common.namespace));
  await nc.close();

  const apiPort = envInt(env, 'API_PORT', 8080, { min: 1, max: 65535 });
  const gatewayPort = envInt(env, 'GATEWAY_PORT', 8081, { min: 1, max: 65535 });
  const gatewayNodes = envInt(env, 'GATEWAY_NODES', 2, { min: 1, max: 16 });
  const shared = {
    ...env,
    NATS_URL: services.natsUrl,
    DATABASE_URL: databaseUrl,
    PARLEY_NAMESPACE: common.namespace,
    PARLEY_DATA_DIR: common.dataDir,
    JWT_PUBLIC_KEY_FILE: envString(env, 'JWT_PUBLIC_KEY_FILE', keys.publicKeyFile),
  };
  const children: Child[] = [
    run('command-handler', shared),
    run('projector', shared),
    run('api', { ...shared, API_PORT: String(apiPort) }, `http://127.0.0.1:${apiPort}/health`),
  ];
  for (let i = 0; i < gatewayNodes; i++) {
    const port = gatewayPort + i;
    children.push(run('gateway', { ...shared, GATEWAY_PORT: String(port), GATEWAY_NODE_ID: `gw${i + 1}` }, `http://127.0.0.1:${port}/health`, `gateway gw${i + 1}`));
  }

  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say('stopping...');
    await Promise.all(children.map((child) => stopChild(child)));
    await services.stop();
    say('stopped');
    process.exit(code);
  };
  for (const child of children) {
    child.process.once('exit', (code, signal) => {
      if (stopping) return;
      say(`${child.name} exited unexpectedly (${signal ?? code}); stopping everything`);
      void stopAll(1);
    });
  }
  process.once('SIGINT', () => void stopAll(0));
  process.once('SIGTERM', () => void stopAll(0));

  await Promise.all(children.filter((c) => c.health).map((c) => waitHealthy(c)));
  say('Parley is up:');
  say(`  HTTP API     http://127.0.0.1:${apiPort}  (GET /v1/guilds with Authorization: Bearer <token>)`);
  for (let i = 0; i < gatewayNodes; i++) say(`  gateway gw${i + 1}  ws://127.0.0.1:${gatewayPort + i}/ws?token=<token>`);
  say(`  NATS ${services.natsUrl}, Postgres ${redact(databaseUrl)}, namespace "${common.namespace}"`);
  say('  a development token: npm run token -- alice');
  say('Ctrl-C stops everything.');
}

function run(app: string, env: Env, health?: string, name = app): Child {
  // `node --import tsx`: one process per app, so signals reach the app itself, not a wrapper.
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'apps', app, 'src/main.ts')], { cwd: REPO, env: env as NodeJS.ProcessEnv, stdio: ['ignore', 'inherit', 'inherit'] });
  return { name, process: child, ...(health ? { health } : {}) };
}

async function waitHealthy(child: Child, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(child.health!)).ok) return;
    } catch {
      // not listening yet
    }
    if (child.process.exitCode !== null) throw new Error(`${child.name} exited during start-up`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${child.name} did not become healthy within ${timeoutMs / 1000} s`);
}

async function stopChild(child: Child): Promise<void> {
  if (child.process.exitCode !== null || child.process.signalCode !== null) return;
  const exited = new Promise((resolve) => child.process.once('exit', resolve));
  child.process.kill('SIGTERM');
  const timer = setTimeout(() => child.process.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}
