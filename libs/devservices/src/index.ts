import { mkdir } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { startNatsContainer, startPostgresContainer } from './containers.ts';
import { ServiceUnavailableError } from './errors.ts';
import { DEFAULT_NATS_URL, findNatsServer, NATS_INSTALL, natsSearchPlaces, probeNats, startLocalNats } from './nats.ts';
import { DEFAULT_POSTGRES_URL, findPostgresBin, maintenanceUrl, POSTGRES_INSTALL, probePostgres, startLocalPostgres } from './postgres.ts';
import type { Log, StartedServer } from './types.ts';
import { once } from './types.ts';

export { ServiceUnavailableError } from './errors.ts';
export { probeNats, startLocalNats, DEFAULT_NATS_URL, type NatsInfo, type NatsProbe } from './nats.ts';
export { probePostgres, startLocalPostgres, maintenanceUrl, DEFAULT_POSTGRES_URL, type PostgresProbe } from './postgres.ts';
export { freePort } from './probe.ts';
export type { StartedServer } from './types.ts';

export type Services = {
  natsUrl: string;
  /** The server's maintenance database ("postgres"), whatever database DATABASE_URL named. */
  postgresUrl: string;
  /** What this call started, one line each; empty when everything was already running. */
  started: string[];
  /** Stops only what this call started. Idempotent. */
  stop(): Promise<void>;
};

export type ServiceOptions = {
  /** NATS_URL: when given, it is used, and it is an error if it does not answer. */
  natsUrl?: string;
  /** DATABASE_URL (any database on the server): when given, that server is used. */
  postgresUrl?: string;
  /** Absolute folder for the data of servers started here (subfolders nats/ and postgres/). */
  dataDir: string;
  /** When nothing answers locally, try testcontainers before local binaries. */
  useContainers?: boolean;
  log?: Log;
  /**
   * PATH to search for nats-server, pg_ctl and initdb (callers pass
   * process.env.PATH). The usual system folders are searched in any case.
   */
  searchPath?: string;
  /** Where to look before starting anything; defaults nats://127.0.0.1:4222 and postgres://postgres@127.0.0.1:5432/postgres. */
  localNatsUrl?: string;
  localPostgresUrl?: string;
};

/**
 * Finds or starts NATS (with JetStream) and PostgreSQL. For each, in order:
 * the URL given, the default local port, a container (if allowed and a Docker
 * engine answers), a server started from this machine's binaries on a free
 * port; otherwise a ServiceUnavailableError saying what to install. If one of
 * the two fails, whatever was started for the other is stopped again.
 */
export async function ensureServices(options: ServiceOptions): Promise<Services> {
  if (!isAbsolute(options.dataDir)) throw new Error(`dataDir must be an absolute path, got ${JSON.stringify(options.dataDir)}`);
  await mkdir(options.dataDir, { recursive: true });
  // Independent servers, and Postgres' first start (initdb) takes seconds: find both at once.
  const [nats, postgres] = await Promise.allSettled([findNats(options), findPostgres(options)]);
  const servers = [nats, postgres].flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const ownStarts = servers.filter((s) => s.startedNow);
  const stop = once(async () => {
    const results = await Promise.allSettled(ownStarts.map((s) => s.stop()));
    const failures = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).message] : []));
    if (failures.length) throw new Error(`stopping dev services failed: ${failures.join('; ')}`);
  });
  if (nats.status === 'rejected' || postgres.status === 'rejected') {
    await stop().catch((error: Error) => options.log?.(error.message));
    throw nats.status === 'rejected' ? nats.reason : (postgres as PromiseRejectedResult).reason;
  }
  return { natsUrl: nats.value.url, postgresUrl: postgres.value.url, started: ownStarts.map((s) => s.description), stop };
}

const found = (url: string): StartedServer => ({ url, description: url, startedNow: false, stop: async () => undefined });

async function findNats(options: ServiceOptions): Promise<StartedServer> {
  const log = options.log;
  if (options.natsUrl) {
    const probe = await safely(() => probeNats(options.natsUrl as string), 'NATS_URL', options.natsUrl);
    if (probe.state === 'nats' && probe.info.jetstream) return found(options.natsUrl);
    throw new ServiceUnavailableError(
      probe.state === 'nats'
        ? `NATS_URL=${options.natsUrl} answers but JetStream is not enabled there: restart that server with -js, or set NATS_URL to one with JetStream.`
        : `NATS_URL=${options.natsUrl} does not answer as a NATS server (${probe.detail}). Start NATS with JetStream there, or unset NATS_URL to use or start a local one.`,
    );
  }
  const localUrl = options.localNatsUrl ?? DEFAULT_NATS_URL;
  const local = await probeNats(localUrl);
  if (local.state === 'nats') {
    if (local.info.jetstream) return found(localUrl);
    throw new ServiceUnavailableError(
      `the NATS server on ${localUrl} runs without JetStream, which Parley needs: restart it with -js (nats-server -js), or set NATS_URL to a server with JetStream.`,
    );
  }
  // Something else owns 4222: ignore it and start a server of our own on another port.
  if (local.state === 'not-nats') log?.(`NATS: ${localUrl} is not a NATS server (${local.detail}); looking further`);
  if (options.useContainers) {
    const container = await startNatsContainer(log);
    if (container) return container;
  }
  if (findNatsServer(options.searchPath)) {
    log?.(`NATS: nothing answers on ${localUrl}, starting nats-server`);
    return startLocalNats(options.dataDir, { path: options.searchPath, log });
  }
  throw new ServiceUnavailableError(
    `NATS is not available: nothing answers on ${localUrl}, ${options.useContainers ? 'no container could be started, ' : ''}and no nats-server binary was found (looked in ${natsSearchPlaces(options.searchPath)}). Install it with "${NATS_INSTALL}", or set NATS_URL to a NATS server with JetStream enabled.`,
  );
}

async function findPostgres(options: ServiceOptions): Promise<StartedServer> {
  const log = options.log;
  if (options.postgresUrl) {
    const url = await safely(async () => maintenanceUrl(options.postgresUrl as string), 'DATABASE_URL', options.postgresUrl);
    const probe = await probePostgres(url);
    if (probe.state === 'ok') return found(url);
    throw new ServiceUnavailableError(
      `DATABASE_URL=${redact(options.postgresUrl)}: the server does not answer "select 1" on database postgres (${probe.detail}). Fix the URL or start PostgreSQL there, or unset DATABASE_URL to use or start a local one.`,
    );
  }
  const localUrl = options.localPostgresUrl ?? DEFAULT_POSTGRES_URL;
  const local = await probePostgres(localUrl);
  if (local.state === 'ok') return found(localUrl);
  // A server that wants a password is not ours to configure: leave it alone and start one of our own.
  if (local.state === 'query-failed') {
    log?.(`Postgres: ${localUrl} answers but "select 1" failed (${local.detail}); set DATABASE_URL to use it. Looking further`);
  }
  if (options.useContainers) {
    const container = await startPostgresContainer(log);
    if (container) return container;
  }
  if (findPostgresBin({ path: options.searchPath })) {
    log?.(`Postgres: nothing usable on ${localUrl}, starting a local cluster`);
    return startLocalPostgres(options.dataDir, { path: options.searchPath, log });
  }
  throw new ServiceUnavailableError(
    `PostgreSQL is not available: nothing usable answers on ${localUrl}, ${options.useContainers ? 'no container could be started, ' : ''}and no PostgreSQL binaries were found (looked in /usr/lib/postgresql/*/bin and PATH). Install them with "${POSTGRES_INSTALL}", or set DATABASE_URL to a PostgreSQL server.`,
  );
}

/** A malformed URL is a configuration mistake: name the variable instead of surfacing "Invalid URL". */
async function safely<T>(fn: () => Promise<T>, variable: string, value: string): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw new ServiceUnavailableError(`${variable}=${redact(value)} cannot be used: ${(error as Error).message}`);
  }
}

function redact(url: string): string {
  return url.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@');
}
