import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ServiceUnavailableError } from './errors.ts';
import { freePort, readFirstLine, waitFor, type HostPort } from './probe.ts';
import { findExecutable, processRuns, ServerProcess } from './processes.ts';
import { once, type Log, type StartedServer } from './types.ts';

export const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';
export const NATS_INSTALL = 'apt-get install nats-server';
/** Where Debian and most hand installs put the binary, for callers that pass no PATH. */
export const NATS_SERVER_DIRS = ['/usr/sbin', '/usr/local/bin', '/usr/bin', '/usr/local/sbin', '/opt/homebrew/bin'];

/** The fields of the INFO greeting this lib looks at. */
export type NatsInfo = { version?: string; jetstream?: boolean };

export type NatsProbe =
  | { state: 'down'; detail: string }
  | { state: 'not-nats'; detail: string }
  | { state: 'nats'; info: NatsInfo };

/**
 * The host and port to probe for a NATS URL. NATS_URL may list several
 * servers separated by commas (the client accepts that); the first one is the
 * one checked, on the grounds that a cluster whose first seed is down is a
 * problem worth reporting before the app starts.
 */
export function natsHostPort(url: string): HostPort {
  const first = url.split(',')[0]?.trim() ?? '';
  const parsed = new URL(first.includes('://') ? first : `nats://${first}`);
  return { host: parsed.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1', port: Number(parsed.port || 4222) };
}

/** Whether `url` is a NATS server, and what it says about itself. Never throws. */
export async function probeNats(url: string, timeoutMs = 2000): Promise<NatsProbe> {
  let line: string;
  try {
    line = await readFirstLine(natsHostPort(url), timeoutMs);
  } catch (error) {
    return { state: 'down', detail: (error as Error).message };
  }
  if (!line.startsWith('INFO ')) {
    return { state: 'not-nats', detail: `it answered ${JSON.stringify(line.slice(0, 60))} instead of a NATS INFO line` };
  }
  try {
    const info = JSON.parse(line.slice(5)) as Record<string, unknown>;
    return {
      state: 'nats',
      info: {
        version: typeof info.version === 'string' ? info.version : undefined,
        jetstream: info.jetstream === true,
      },
    };
  } catch {
    return { state: 'not-nats', detail: 'its INFO line is not valid JSON' };
  }
}

export function natsSearchPlaces(path: string | undefined): string {
  return [...(path ? ['PATH'] : []), ...NATS_SERVER_DIRS].join(', ');
}

export function findNatsServer(path?: string): string | undefined {
  return findExecutable('nats-server', path, NATS_SERVER_DIRS);
}

/** Written next to the JetStream store so a later run can find a server an earlier run left behind. */
type StateFile = { pid: number; port: number };

/**
 * Starts `nats-server` with JetStream on a free loopback port, storing in
 * `<dataDir>/nats` (kept between starts, so streams survive restarts). If a
 * server an earlier run started on this store is still answering, that one is
 * reused instead: two servers on one store directory would corrupt it.
 */
export async function startLocalNats(dataDir: string, options: { path?: string; log?: Log } = {}): Promise<StartedServer> {
  const binary = findNatsServer(options.path);
  if (!binary) {
    throw new ServiceUnavailableError(
      `no nats-server binary found (looked in ${natsSearchPlaces(options.path)}). Install it with "${NATS_INSTALL}", or set NATS_URL to a NATS server with JetStream enabled.`,
    );
  }
  const storeDir = join(dataDir, 'nats');
  const stateFile = join(storeDir, 'server.json');
  await mkdir(storeDir, { recursive: true });

  const leftOver = await reusable(stateFile);
  if (leftOver) {
    options.log?.(`NATS: reusing nats-server pid ${leftOver.pid} on port ${leftOver.port}, left running by an earlier run on ${storeDir}`);
    return {
      url: `nats://127.0.0.1:${leftOver.port}`,
      description: `nats-server (pid ${leftOver.pid}, started earlier) on nats://127.0.0.1:${leftOver.port}, data in ${storeDir}`,
      startedNow: false,
      pid: leftOver.pid,
      stop: async () => undefined,
    };
  }

  // Another process can take the free port between our check and the server's bind: retry then.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const url = `nats://127.0.0.1:${port}`;
    const server = new ServerProcess(binary, ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir]);
    try {
      const info = await waitFor(
        `nats-server on port ${port}`,
        async () => {
          const probe = await probeNats(url, 1000);
          return probe.state === 'nats' ? probe.info : undefined;
        },
        { timeoutMs: 15_000, giveUp: () => (server.exitReason ? `nats-server ${server.exitReason}` : undefined) },
      );
      if (!info.jetstream) throw new Error('it started without JetStream although -js was given');
      await writeFile(stateFile, JSON.stringify({ pid: server.pid, port } satisfies Partial<StateFile>));
      return {
        url,
        description: `nats-server${info.version ? ` ${info.version}` : ''} (pid ${server.pid}) with JetStream on ${url}, data in ${storeDir}`,
        startedNow: true,
        pid: server.pid,
        stop: once(async () => {
          await server.stop();
          await rm(stateFile, { force: true });
        }),
      };
    } catch (error) {
      await server.stop();
      const output = server.output();
      if (attempt < 3 && /address already in use/i.test(output)) continue;
      throw new Error(`could not start ${binary}: ${(error as Error).message}${output ? `\n${output}` : ''}`);
    }
  }
}

async function reusable(stateFile: string): Promise<StateFile | undefined> {
  let state: StateFile;
  try {
    state = JSON.parse(await readFile(stateFile, 'utf8')) as StateFile;
  } catch {
    return undefined;
  }
  if (!processRuns(state.pid)) return undefined;
  const probe = await probeNats(`nats://127.0.0.1:${state.port}`, 1000);
  return probe.state === 'nats' && probe.info.jetstream ? state : undefined;
}
