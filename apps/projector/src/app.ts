import { Codec } from '@parley/contracts';
import { connectNats, names as namesOf, provision, type Logger } from '@parley/platform';
import { createOrm, migrate } from '@parley/read-model';
import { guildsProjection } from './guilds.projection.ts';
import { historyProjection } from './history.projection.ts';
import { usersProjection } from './users.projection.ts';
import { Projector } from './projector.ts';

/** Every projection of the read models, in the order they start. */
export const PROJECTIONS = [guildsProjection, historyProjection, usersProjection];

export type ProjectorConfig = { natsUrl: string; databaseUrl: string; namespace: string };
export type ProjectorApp = { projectors: Projector[]; stop(): Promise<void> };

/** Starts every projection of the read models; each keeps its own consumer and checkpoint. */
export async function startProjectorApp(config: ProjectorConfig, logger: Logger): Promise<ProjectorApp> {
  const names = namesOf(config.namespace);
  const nc = await connectNats(config.natsUrl, 'parley-projector');
  await provision(nc, names);
  const orm = await createOrm(config.databaseUrl);
  await migrate(orm);
  const codec = new Codec();
  const projectors = PROJECTIONS.map(
    (projection) => new Projector(projection, { nc, names, orm, codec, logger }),
  );
  for (const projector of projectors) projector.start();
  return {
    projectors,
    async stop() {
      await Promise.all(projectors.map((p) => p.stop()));
      await nc.drain();
      await orm.close();
    },
  };
}
