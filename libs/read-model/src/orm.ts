import { Migrator } from '@mikro-orm/migrations';
import { MikroORM } from '@mikro-orm/postgresql';
import { Ban, ChannelOverwrite, MemberRole, Role } from './access.entities.ts';
import { Category, Channel, Checkpoint, Guild, Invite, Member } from './entities.ts';
import { Message, MessageMention, MessageReaction } from './message.entities.ts';
import { Migration001Initial } from './migrations/001-initial.ts';
import { Migration002GuildDomain } from './migrations/002-guild-domain.ts';
import { Migration003MessageHistory } from './migrations/003-message-history.ts';
import { Migration004ReadStates } from './migrations/004-read-states.ts';
import { Migration005Users } from './migrations/005-users.ts';
import { Migration006Attachments } from './migrations/006-attachments.ts';

export { MikroORM };
export type { EntityManager } from '@mikro-orm/postgresql';

/** Migrations are listed explicitly (no file globbing), in order; names are stable forever. */
const MIGRATIONS = [
  { name: '001-initial', class: Migration001Initial },
  { name: '002-guild-domain', class: Migration002GuildDomain },
  { name: '003-message-history', class: Migration003MessageHistory },
  { name: '004-read-states', class: Migration004ReadStates },
  { name: '005-users', class: Migration005Users },
  { name: '006-attachments', class: Migration006Attachments },
];

/** Entities are listed explicitly too: no discovery by folder. */
const ENTITIES = [Guild, Category, Channel, Member, Invite, Role, MemberRole, Ban, ChannelOverwrite, Message, MessageReaction, MessageMention, Checkpoint];

/**
 * One ORM per process. Callers fork an EntityManager per request or batch
 * (`orm.em.fork()`); the global one is never used for work.
 */
export async function createOrm(databaseUrl: string, options: { poolMax?: number } = {}): Promise<MikroORM> {
  return MikroORM.init({
    clientUrl: databaseUrl,
    entities: ENTITIES,
    extensions: [Migrator],
    migrations: { migrationsList: MIGRATIONS, transactional: true, allOrNothing: true, tableName: 'mikro_orm_migrations', silent: true },
    pool: { min: 0, max: options.poolMax ?? 10 },
    discovery: { warnWhenNoEntities: false },
    allowGlobalContext: false,
    debug: false,
  });
}

/** Creates the database if needed and applies pending migrations. Safe to run from several processes. */
export async function migrate(orm: MikroORM): Promise<string[]> {
  await orm.schema.ensureDatabase({ create: true });
  const applied = await orm.getMigrator().up();
  return applied.map((m) => m.name);
}
