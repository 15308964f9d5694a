import type { Log, StartedServer } from './types.ts';
import { once } from './types.ts';

/**
 * Servers in containers, for machines with a Docker engine and nothing
 * installed. testcontainers is imported only here and only when asked for:
 * loading it costs time and it probes for a runtime, which most runs (the
 * services already answer) have no use for.
 */

/** What testcontainers throws, within a millisecond or so, when no engine answers. */
const NO_RUNTIME = /could not find a working container runtime strategy/i;

type ContainerSpec = {
  what: string;
  image: string;
  port: number;
  command?: string[];
  environment?: Record<string, string>;
  ready: RegExp;
  /** The Postgres image logs "ready" once for its init server and once for the real one. */
  readyTimes?: number;
  url: (host: string, port: number) => string;
};

const NATS: ContainerSpec = {
  what: 'NATS',
  image: 'nats:2.10-alpine',
  port: 4222,
  command: ['-js'],
  ready: /Server is ready/,
  url: (host, port) => `nats://${host}:${port}`,
};

const POSTGRES: ContainerSpec = {
  what: 'Postgres',
  image: 'postgres:15-alpine',
  port: 5432,
  environment: { POSTGRES_HOST_AUTH_METHOD: 'trust' },
  ready: /database system is ready to accept connections/,
  readyTimes: 2,
  url: (host, port) => `postgres://postgres@${host}:${port}/postgres`,
};

export const startNatsContainer = (log?: Log) => startContainer(NATS, log);
export const startPostgresContainer = (log?: Log) => startContainer(POSTGRES, log);

/**
 * Undefined when containers cannot be used here (no engine, image pull
 * refused, ...): the caller then falls back to local binaries, so the reason
 * is logged rather than thrown.
 */
async function startContainer(spec: ContainerSpec, log?: Log): Promise<StartedServer | undefined> {
  try {
    const { GenericContainer, Wait } = await import('testcontainers');
    let container = new GenericContainer(spec.image)
      .withExposedPorts(spec.port)
      .withWaitStrategy(Wait.forLogMessage(spec.ready, spec.readyTimes ?? 1))
      .withStartupTimeout(120_000);
    if (spec.command) container = container.withCommand(spec.command);
    if (spec.environment) container = container.withEnvironment(spec.environment);
    const started = await container.start();
    const url = spec.url(started.getHost(), started.getMappedPort(spec.port));
    return {
      url,
      description: `${spec.what} container ${spec.image} (${started.getId().slice(0, 12)}) on ${url}`,
      startedNow: true,
      stop: once(async () => {
        await started.stop();
      }),
    };
  } catch (error) {
    const message = (error as Error).message;
    log?.(
      NO_RUNTIME.test(message)
        ? `${spec.what}: no container runtime answers (no Docker engine), trying local binaries`
        : `${spec.what}: could not start container ${spec.image} (${message.split('\n')[0]}), trying local binaries`,
    );
    return undefined;
  }
}
