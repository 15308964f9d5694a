import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureServices } from '@parley/devservices';
import type { TestProject } from 'vitest/node';
import type {} from './isolated-env.ts';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * Finds NATS and Postgres once per test run: NATS_URL / DATABASE_URL when
 * set, the local default ports when they answer, containers when a Docker
 * engine answers, otherwise servers started from local binaries. Each test
 * file then isolates itself in its own namespace and database (isolatedEnv).
 */
export default async function setup(project: TestProject) {
  const services = await ensureServices({
    natsUrl: process.env['NATS_URL'],
    postgresUrl: process.env['DATABASE_URL'],
    dataDir: join(REPO, '.parley', 'test-services'),
    useContainers: true,
    searchPath: process.env['PATH'],
    log: (line: string) => console.log(`[test services] ${line}`),
  });
  for (const line of services.started) console.log(`[test services] ${line}`);
  project.provide('natsUrl', services.natsUrl);
  project.provide('postgresUrl', services.postgresUrl);
  return () => services.stop();
}
