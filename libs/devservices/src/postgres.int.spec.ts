import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processRuns } from './processes.ts';
import { startLocalPostgres, type StartedServer } from './index.ts';

async function query(url: string, sql: string): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('startLocalPostgres', () => {
  let dataDir: string;
  const servers: StartedServer[] = [];
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'parley-postgres-'));
    // mkdtemp makes the folder 0700; as root, the postgres OS user must be able to enter it.
    await chmod(dataDir, 0o755);
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await rm(dataDir, { recursive: true, force: true });
  });

  it('creates a cluster, serves it on a free port with trust auth, keeps its data, and stop() shuts it down', async () => {
    const first = await startLocalPostgres(dataDir);
    servers.push(first);
    expect(first.startedNow).toBe(true);
    const port = Number(new URL(first.url).port);
    expect(port).not.toBe(5432);
    expect(first.url).toBe(`postgres://postgres@127.0.0.1:${port}/postgres`);
    expect(existsSync(join(dataDir, 'postgres', 'data', 'PG_VERSION'))).toBe(true);

    const [row] = await query(first.url, "select current_setting('port') as port, current_user as who");
    expect(row).toEqual({ port: String(port), who: 'postgres' });
    await query(first.url, 'create table kept (id int); insert into kept values (42)');

    const pid = first.pid as number;
    expect(processRuns(pid)).toBe(true);
    await first.stop();
    await first.stop();
    expect(processRuns(pid)).toBe(false);
    await expect(query(first.url, 'select 1')).rejects.toThrow(/ECONNREFUSED/);

    // Second start: no initdb (data kept), new port.
    const second = await startLocalPostgres(dataDir);
    servers.push(second);
    expect(await query(second.url, 'select id from kept')).toEqual([{ id: 42 }]);
  }, 120_000);
});
