import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectNats, ensureDevKeys, mintToken, names as namesOf, removeNamespace, type AuthConfig, type Names } from '@parley/platform';
import pg from 'pg';
import { inject } from 'vitest';

/** What the global setup (global-setup.ts) hands to every test file. */
declare module 'vitest' {
  export interface ProvidedContext {
    natsUrl: string;
    postgresUrl: string;
  }
}

export type TestEnv = {
  natsUrl: string;
  databaseUrl: string;
  namespace: string;
  names: Names;
  auth: AuthConfig;
  /** The signing key pair of this test run (the API issues tokens with it). */
  keys: { privateKeyFile: string; publicKeyFile: string };
  token(userId: string, ttlSeconds?: number): Promise<string>;
  /** A second, empty database on the same server (e.g. to compare a rebuild); dropped at cleanup. */
  extraDatabase(): Promise<string>;
  cleanup(): Promise<void>;
};

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function admin<T>(postgresUrl: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/**
 * A namespace (streams, subjects, buckets) and a database of its own for one
 * test file, so files run in parallel and beside other runs on shared
 * servers, and leave nothing behind.
 */
export async function isolatedEnv(): Promise<TestEnv> {
  const natsUrl = inject('natsUrl');
  const postgresUrl = inject('postgresUrl');
  const namespace = `t${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const names = namesOf(namespace);
  const databases = [`parley_${namespace}`];
  const keyDir = mkdtempSync(join(tmpdir(), `parley-${namespace}-`));
  const keys = await ensureDevKeys(keyDir);
  const auth: AuthConfig = { issuer: 'parley-test', audience: 'parley', publicKey: { file: keys.publicKeyFile } };
  return {
    natsUrl,
    databaseUrl: withDatabase(postgresUrl, databases[0]!),
    namespace,
    names,
    auth,
    keys,
    token: (userId, ttlSeconds = 3600) =>
      mintToken({ privateKeyFile: keys.privateKeyFile, issuer: auth.issuer, audience: auth.audience, userId, ttlSeconds }),
    async extraDatabase() {
      const name = `parley_${namespace}_${databases.length}`;
      databases.push(name);
      await admin(postgresUrl, (client) => client.query(`create database ${name}`));
      return withDatabase(postgresUrl, name);
    },
    async cleanup() {
      const nc = await connectNats(natsUrl, 'parley-test-cleanup');
      await removeNamespace(nc, names);
      await nc.close();
      await admin(postgresUrl, async (client) => {
        for (const name of databases) await client.query(`drop database if exists ${name} with (force)`);
      });
      rmSync(keyDir, { recursive: true, force: true });
    },
  };
}
