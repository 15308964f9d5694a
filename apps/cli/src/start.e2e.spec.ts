import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort } from '@parley/devservices';
import { apiGet, isolatedEnv, TestClient, type TestEnv } from '@parley/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const CLI = ['--import', 'tsx', join(REPO, 'apps/cli/src/main.ts')];

// The README's first command: `npm start` brings up every app (two gateway
// nodes), prints where they are, and Ctrl-C stops all of it.
describe('npm start', () => {
  let env: TestEnv;
  let dataDir: string;

  beforeAll(async () => {
    env = await isolatedEnv();
    dataDir = mkdtempSync(join(tmpdir(), 'parley-start-'));
  });

  afterAll(async () => {
    await env?.cleanup();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts the whole system, serves a real client, and stops cleanly on SIGINT', async () => {
    const [apiPort, gatewayPort] = [await freePort(), await freePort()];
    const childEnv = {
      ...process.env,
      NATS_URL: env.natsUrl,
      DATABASE_URL: env.databaseUrl,
      PARLEY_NAMESPACE: env.namespace,
      PARLEY_DATA_DIR: dataDir,
      API_PORT: String(apiPort),
      GATEWAY_PORT: String(gatewayPort),
      GATEWAY_NODES: '1',
      LOG_LEVEL: 'warn',
    };
    const launcher = spawn(process.execPath, [...CLI, 'start'], { cwd: REPO, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    launcher.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    launcher.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => launcher.once('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 60_000;
      while (!output.includes('Parley is up') && Date.now() < deadline && launcher.exitCode === null) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(output, output).toContain('Parley is up');
      expect(output).toContain(`http://127.0.0.1:${apiPort}`);
      expect(output).toContain(`ws://127.0.0.1:${gatewayPort}/ws`);

      const { stdout: token } = await promisify(execFile)(process.execPath, [...CLI, 'token', 'alice'], { cwd: REPO, env: childEnv });
      const client = await TestClient.connect(`ws://127.0.0.1:${gatewayPort}/ws`, token.trim());
      await client.waitFor((f) => f.op === 'ready');
      const guild = await client.accepted('CreateGuild', { name: 'Launched' });
      expect(guild.data['ownerId']).toBe('alice');
      await client.close();
      const guilds = await apiGet(`http://127.0.0.1:${apiPort}`, '/v1/guilds', token.trim());
      expect(guilds.status).toBe(200);
      expect(typeof guilds.body.cursor).toBe('number');
    } finally {
      launcher.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    expect(output).toContain('stopped');
    await expect(fetch(`http://127.0.0.1:${apiPort}/health`)).rejects.toThrow();
  }, 90_000);
});
