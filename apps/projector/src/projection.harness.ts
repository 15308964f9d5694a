import { jetstream } from '@nats-io/jetstream';
import { Codec } from '@parley/contracts';
import { streamOf, type ParleyEvent } from '@parley/domain';
import { connectNats, createLogger, provision, type NatsConnection } from '@parley/platform';
import { createOrm, migrate, readCheckpoint, type MikroORM } from '@parley/read-model';
import { eventually, isolatedEnv, type TestEnv } from '@parley/testing';
import { afterAll, beforeAll } from 'vitest';
import type { Envelope, Projection } from './projection.ts';
import { Projector } from './projector.ts';

const codec = new Codec();
const logger = createLogger('test', 'warn');

export type ProjectedLog = {
  readonly env: TestEnv;
  /** The file's own database, with the whole log projected into it before the tests. */
  readonly orm: MikroORM;
  /** The appended events, with their sequences and envelopes. */
  readonly envelopes: Envelope[];
  /** A migrated ORM on `url` (closed after the file). */
  database(url: string): Promise<MikroORM>;
  /** Runs the projection into `into` until it has passed the last appended event. */
  project(into: MikroORM, batchSize?: number): Promise<void>;
};

/**
 * For a projection's spec: appends `events` (event i at time `t0 + i s`) to a
 * fresh namespace's event log, projects them into a fresh database, and
 * cleans everything up after the file.
 */
export function useProjectedLog(projection: Projection, events: readonly ParleyEvent[], t0 = 1_700_000_000_000): ProjectedLog {
  let env: TestEnv;
  let nc: NatsConnection;
  let orm: MikroORM;
  const orms: MikroORM[] = [];
  const envelopes: Envelope[] = [];
  const log: ProjectedLog = {
    get env() {
      return env;
    },
    get orm() {
      return orm;
    },
    envelopes,
    async database(url) {
      const created = await createOrm(url);
      orms.push(created);
      await migrate(created);
      return created;
    },
    async project(into, batchSize) {
      const projector = new Projector(projection, { nc, names: env.names, orm: into, codec, logger, ...(batchSize ? { batchSize } : {}) });
      projector.start();
      try {
        const last = envelopes.at(-1)!.seq;
        await eventually(async () => ((await readCheckpoint(into.em.fork(), projection.name)) >= last ? true : undefined), 20_000, 'projection');
      } finally {
        await projector.stop();
      }
    },
  };
  beforeAll(async () => {
    env = await isolatedEnv();
    nc = await connectNats(env.natsUrl, `${projection.name}-projection-test`);
    await provision(nc, env.names);
    for (const [i, event] of events.entries()) {
      const meta = { eventId: `e${i}`, time: t0 + i * 1000, causationId: `c${i}`, actorId: 'alice', prev: 0 };
      const ack = await jetstream(nc).publish(env.names.streamSubject(streamOf(event)), codec.encodeEvent(meta, event));
      envelopes.push({ seq: ack.seq, meta, event });
    }
    orm = await log.database(env.databaseUrl);
    await log.project(orm);
  });
  afterAll(async () => {
    for (const o of orms) await o.close();
    await nc?.close();
    await env?.cleanup();
  });
  return log;
}
