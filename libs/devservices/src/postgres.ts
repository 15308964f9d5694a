import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chmod, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { ServiceUnavailableError } from './errors.ts';
import { freePort, tcpOpen, waitFor } from './probe.ts';
import { findExecutable, processRuns, run, runningAsRoot } from './processes.ts';
import { once, type Log, type StartedServer } from './types.ts';

export const DEFAULT_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
export const POSTGRES_INSTALL = 'apt-get install postgresql-15';
const DEBIAN_ROOT = '/usr/lib/postgresql';
const SYSTEM_DIRS = ['/usr/sbin', '/sbin', '/usr/bin', '/bin'];

export type PostgresProbe = { state: 'down' | 'query-failed'; detail: string } | { state: 'ok' };

/**
 * The same server and credentials with database `postgres`. DATABASE_URL may
 * name a database that does not exist yet (the harness creates one per run),
 * so everything here talks to the maintenance database, which always exists.
 */
export function maintenanceUrl(url: string): string {
  const parsed = new URL(url);
  parsed.pathname = '/postgres';
  return parsed.toString();
}

/** A TCP check first (a refused port fails in microseconds, pg's connect is slower to say so), then `select 1`. */
export async function probePostgres(url: string, timeoutMs = 3000): Promise<PostgresProbe> {
  const parsed = new URL(url);
  // An empty host means a Unix socket (?host=/run/postgresql); only pg itself can check that.
  if (parsed.hostname) {
    const host = parsed.hostname.replace(/^\[|\]$/g, '');
    if (!(await tcpOpen({ host, port: Number(parsed.port || 5432) }, timeoutMs))) {
      return { state: 'down', detail: `nothing accepts connections on ${host}:${parsed.port || 5432}` };
    }
  }
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs });
  // Without a listener a server-side disconnect after end() would crash the process.
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('select 1');
    return { state: 'ok' };
  } catch (error) {
    return { state: 'query-failed', detail: (error as Error).message };
  } finally {
    await client.end().catch(() => undefined);
  }
}

export type PostgresBin = { dir: string; major: number | undefined };

/**
 * Debian keeps each major version's tools in /usr/lib/postgresql/<major>/bin,
 * outside PATH. A data directory only opens with its own major version, so
 * when one exists its version wins over the highest installed one.
 */
export function findPostgresBin(options: { path?: string; preferMajor?: number } = {}): PostgresBin | undefined {
  const installed = (existsSync(DEBIAN_ROOT) ? readdirSync(DEBIAN_ROOT) : [])
    .map(Number)
    .filter((major) => Number.isInteger(major) && existsSync(join(DEBIAN_ROOT, String(major), 'bin', 'pg_ctl')))
    .sort((a, b) => b - a);
  const major = installed.find((m) => m === options.preferMajor) ?? installed[0];
  if (major !== undefined) return { dir: join(DEBIAN_ROOT, String(major), 'bin'), major };
  // Other systems (Homebrew, Fedora, a source build) put the tools on PATH.
  const pgCtl = findExecutable('pg_ctl', options.path, SYSTEM_DIRS);
  if (pgCtl && findExecutable('initdb', options.path, SYSTEM_DIRS)) return { dir: join(pgCtl, '..'), major: undefined };
  return undefined;
}

/**
 * Starts a private PostgreSQL cluster on a free loopback port with trust auth
 * and superuser `postgres`. Layout under `<dataDir>/postgres`: `data/` (the
 * cluster, kept between starts), `postgres.log`, and the Unix socket. When run
 * as root, initdb and the server run as the `postgres` OS user, because both
 * refuse to run as root. If the cluster is still running from an earlier run,
 * it is reused rather than started twice.
 */
export async function startLocalPostgres(dataDir: string, options: { path?: string; log?: Log } = {}): Promise<StartedServer> {
  const root = join(dataDir, 'postgres');
  const pgdata = join(root, 'data');
  const logFile = join(root, 'postgres.log');
  const versionFile = join(pgdata, 'PG_VERSION');
  const clusterMajor = existsSync(versionFile) ? Number(readFileSync(versionFile, 'utf8').trim()) : undefined;
  const bin = findPostgresBin({ path: options.path, preferMajor: clusterMajor });
  if (!bin) {
    throw new ServiceUnavailableError(
      `no PostgreSQL server binaries found (looked in ${DEBIAN_ROOT}/*/bin and PATH). Install them with "${POSTGRES_INSTALL}", or set DATABASE_URL to a PostgreSQL server.`,
    );
  }
  if (clusterMajor !== undefined && bin.major !== undefined && bin.major !== clusterMajor) {
    throw new ServiceUnavailableError(
      `${pgdata} holds a PostgreSQL ${clusterMajor} cluster but only PostgreSQL ${bin.major} is installed. Install "postgresql-${clusterMajor}", or move that folder away to start afresh.`,
    );
  }
  await mkdir(root, { recursive: true });
  const asUser = await postgresUser(root, options.path);
  const tool = (name: string, args: string[]) => {
    const [file, ...rest] = [...asUser, join(bin.dir, name), ...args];
    // cwd: the tools getcwd() at start and warn or fail when the postgres user cannot read the caller's folder.
    return run(file as string, rest, { cwd: root, timeoutMs: 120_000 });
  };

  const leftOver = postmaster(pgdata);
  if (leftOver && (await probePostgres(urlFor(leftOver.port), 1000)).state === 'ok') {
    const { pid, port } = leftOver;
    options.log?.(`Postgres: reusing the cluster in ${pgdata}, left running by an earlier run on port ${port}`);
    const description = `PostgreSQL (pid ${pid}, started earlier) on 127.0.0.1:${port}, data in ${pgdata}`;
    return { url: urlFor(port), description, startedNow: false, pid, stop: async () => undefined };
  }

  if (clusterMajor === undefined) {
    options.log?.(`Postgres: creating a cluster in ${pgdata}`);
    // --no-locale -E UTF8: no dependency on which locales the machine has generated, and byte-order sorting everywhere.
    await tool('initdb', ['-D', pgdata, '--auth=trust', '-U', 'postgres', '--no-locale', '-E', 'UTF8']);
  }

  // Unix socket paths are limited to ~107 bytes; a deep dataDir gets TCP only rather than a failed start.
  const socketOk = `${root}/.s.PGSQL.65535`.length <= 100 && !root.includes("'");
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    // pg_ctl hands -o to a shell, hence the quoting.
    const serverOptions = `-p ${port} -k '${socketOk ? root : ''}' -c listen_addresses=127.0.0.1`;
    try {
      await tool('pg_ctl', ['-D', pgdata, '-l', logFile, '-o', serverOptions, '-w', '-t', '60', 'start']);
    } catch (error) {
      const log = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n') : '';
      if (attempt < 3 && /could not bind|address already in use/i.test(log)) continue;
      throw new Error(`could not start PostgreSQL in ${pgdata}: ${(error as Error).message}\nlast lines of ${logFile}:\n${log}`);
    }
    const url = urlFor(port);
    const pid = postmaster(pgdata)?.pid;
    const stop = once(async () => {
      await tool('pg_ctl', ['-D', pgdata, 'stop', '-m', 'fast', '-w', '-t', '30']);
      // pg_ctl returns once postmaster.pid is gone, a moment before the process itself exits.
      if (pid) await waitFor('PostgreSQL to exit', async () => (processRuns(pid) ? undefined : true), { timeoutMs: 5000, intervalMs: 20 }).catch(() => undefined);
    });
    try {
      await waitFor(`PostgreSQL on port ${port}`, async () => ((await probePostgres(url)).state === 'ok' ? true : undefined), { timeoutMs: 15_000 });
    } catch (error) {
      await stop().catch(() => undefined);
      throw error;
    }
    const version = bin.major === undefined ? '' : ` ${bin.major}`;
    const description = `PostgreSQL${version} (pid ${pid}) on 127.0.0.1:${port}, data in ${pgdata}, log ${logFile}`;
    return { url, description, startedNow: true, pid, stop };
  }
}

function urlFor(port: number): string {
  return `postgres://postgres@127.0.0.1:${port}/postgres`;
}

/** The postmaster's pid and port, from postmaster.pid (lines 1 and 4), while a server runs on that data directory. */
function postmaster(pgdata: string): { pid: number; port: number } | undefined {
  try {
    const lines = readFileSync(join(pgdata, 'postmaster.pid'), 'utf8').split('\n');
    const [pid, port] = [Number(lines[0]), Number(lines[3])];
    return Number.isInteger(pid) && Number.isInteger(port) && port > 0 ? { pid, port } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The command prefix that runs Postgres' tools as a non-root user. Not root:
 * none, the tools run as the caller. Root: `runuser -u postgres --`, after
 * giving `root` to that user and checking it can actually reach it (a parent
 * folder with mode 0700 is the usual reason it cannot).
 */
async function postgresUser(root: string, path: string | undefined): Promise<string[]> {
  if (!runningAsRoot()) return [];
  const runuser = findExecutable('runuser', path, SYSTEM_DIRS);
  if (!runuser) throw new ServiceUnavailableError(`running as root needs runuser (util-linux) to start PostgreSQL as the postgres user; install util-linux or set DATABASE_URL.`);
  try {
    await run('id', ['-u', 'postgres']);
  } catch {
    throw new ServiceUnavailableError(
      `running as root, PostgreSQL must run as the "postgres" OS user, which does not exist. Install "${POSTGRES_INSTALL}" (it creates that user), or set DATABASE_URL.`,
    );
  }
  await run('chown', ['postgres:', root]);
  await chmod(root, 0o700);
  try {
    await run(runuser, ['-u', 'postgres', '--', 'test', '-w', root, '-a', '-x', root], { cwd: root });
  } catch {
    throw new ServiceUnavailableError(
      `the postgres OS user cannot reach ${root}: a parent folder is probably not searchable by others (chmod o+x each parent), or choose a dataDir elsewhere.`,
    );
  }
  return [runuser, '-u', 'postgres', '--'];
}
