import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureServices, freePort, probeNats, probePostgres, ServiceUnavailableError } from './index.ts';

// Needs this project's machine services: NATS with JetStream on 127.0.0.1:4222
// and PostgreSQL on 127.0.0.1:5432 (trust auth), see docs in /work/shared/STACK.md.
describe('ensureServices', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'parley-devservices-'));
    // The postgres OS user must reach its data folder when tests run as root.
    await chmod(dataDir, 0o755);
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('uses the servers already answering on the default ports and starts nothing', async () => {
    const services = await ensureServices({ dataDir });
    try {
      expect(services.natsUrl).toBe('nats://127.0.0.1:4222');
      expect(services.postgresUrl).toBe('postgres://postgres@127.0.0.1:5432/postgres');
      expect(services.started).toEqual([]);
    } finally {
      await services.stop();
    }
    // stop() must not have touched servers it did not start.
    expect((await probeNats('nats://127.0.0.1:4222')).state).toBe('nats');
    expect(await probePostgres('postgres://postgres@127.0.0.1:5432/postgres')).toEqual({ state: 'ok' });
  });

  it('returns the maintenance database of the server DATABASE_URL names', async () => {
    const services = await ensureServices({ dataDir, postgresUrl: 'postgres://postgres@127.0.0.1:5432/some_db_that_need_not_exist?application_name=x' });
    expect(services.postgresUrl).toBe('postgres://postgres@127.0.0.1:5432/postgres?application_name=x');
    expect(services.started).toEqual([]);
  });

  it('fails clearly, naming NATS_URL, when the NATS url given does not answer', async () => {
    const closed = await freePort();
    const attempt = ensureServices({ dataDir, natsUrl: `nats://127.0.0.1:${closed}` });
    await expect(attempt).rejects.toBeInstanceOf(ServiceUnavailableError);
    await expect(attempt).rejects.toThrow(new RegExp(`NATS_URL=nats://127\\.0\\.0\\.1:${closed} does not answer`));
  });

  it('fails clearly, naming DATABASE_URL, when the Postgres url given does not answer', async () => {
    const closed = await freePort();
    await expect(ensureServices({ dataDir, postgresUrl: `postgres://postgres@127.0.0.1:${closed}/x` })).rejects.toThrow(/DATABASE_URL=.*does not answer/);
  });

  it('rejects a server that is not NATS at NATS_URL (here: Postgres)', async () => {
    await expect(ensureServices({ dataDir, natsUrl: 'nats://127.0.0.1:5432' })).rejects.toThrow(/NATS_URL=.*does not answer as a NATS server/);
  });

  it('starts both servers from local binaries when nothing answers, after finding no container runtime, and stops them', async () => {
    const lines: string[] = [];
    const services = await ensureServices({
      dataDir,
      useContainers: true,
      localNatsUrl: `nats://127.0.0.1:${await freePort()}`,
      localPostgresUrl: `postgres://postgres@127.0.0.1:${await freePort()}/postgres`,
      log: (line) => lines.push(line),
    });
    try {
      expect(services.started).toHaveLength(2);
      expect(services.started.join('\n')).toMatch(/nats-server .*with JetStream/);
      expect(services.started.join('\n')).toMatch(/PostgreSQL/);
      expect(lines.join('\n')).toMatch(/NATS: no container runtime answers/);
      expect(lines.join('\n')).toMatch(/Postgres: no container runtime answers/);
      expect(await probeNats(services.natsUrl)).toMatchObject({ state: 'nats', info: { jetstream: true } });
      expect(await probePostgres(services.postgresUrl)).toEqual({ state: 'ok' });
    } finally {
      await services.stop();
      await services.stop();
    }
    expect((await probeNats(services.natsUrl)).state).toBe('down');
    expect((await probePostgres(services.postgresUrl)).state).toBe('down');
  }, 120_000);
});
