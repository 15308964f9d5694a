import { IsolationLevel } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { readCheckpoint } from './checkpoint.ts';
import { Channel, Guild, Member, type ChannelRow, type GuildRow, type MemberRow } from './entities.ts';

/** The projections and the read models each one owns. */
export const PROJECTIONS = {
  /** guilds, categories, channels, members, invites, roles, member_roles, bans, channel_overwrites */
  guilds: 'guilds',
  /** messages, message_reactions, message_mentions */
  history: 'history',
  /** users, read_states (everything on users' own streams) */
  users: 'users',
} as const;
export type ProjectionName = (typeof PROJECTIONS)[keyof typeof PROJECTIONS];

/**
 * A query result with the event log cursor it reflects (promise 4): the
 * rows and the checkpoint are read in one REPEATABLE READ snapshot, so a
 * client can apply live events with a higher cursor on top, and skip lower ones.
 */
export type Snapshot<T> = { cursor: number; data: T };

export async function snapshot<T>(
  em: EntityManager,
  projection: ProjectionName | ProjectionName[],
  read: (em: EntityManager) => Promise<T>,
): Promise<Snapshot<T>> {
  return em.transactional(
    async (tx) => {
      // Data joined from several projections reflects the least advanced of them.
      const cursors = await Promise.all([projection].flat().map((name) => readCheckpoint(tx, name)));
      const cursor = Math.min(...cursors);
      return { cursor, data: await read(tx) };
    },
    { isolationLevel: IsolationLevel.REPEATABLE_READ, readOnly: true },
  );
}

/** The user's guilds, oldest first; deleted guilds are gone. */
export async function guildsOfUser(em: EntityManager, userId: string): Promise<GuildRow[]> {
  const memberships = await em.find(Member, { userId }, { fields: ['guildId'] });
  if (memberships.length === 0) return [];
  return em.find(Guild, { id: { $in: memberships.map((m) => m.guildId) }, deleted: false }, { orderBy: { createdSeq: 'asc' } });
}

/** Membership of a guild that still exists. */
export async function isMember(em: EntityManager, guildId: string, userId: string): Promise<boolean> {
  return (await em.count(Member, { guildId, userId })) > 0 && (await em.count(Guild, { id: guildId, deleted: false })) > 0;
}

export async function findGuild(em: EntityManager, guildId: string): Promise<GuildRow | null> {
  return em.findOne(Guild, { id: guildId, deleted: false });
}

export async function channelsOfGuild(em: EntityManager, guildId: string): Promise<ChannelRow[]> {
  return em.find(Channel, { guildId }, { orderBy: { position: 'asc', id: 'asc' } });
}

export async function findChannel(em: EntityManager, channelId: string): Promise<ChannelRow | null> {
  return em.findOne(Channel, { id: channelId });
}

export async function membersOfGuild(em: EntityManager, guildId: string, page: { after: string | null; limit: number }): Promise<MemberRow[]> {
  const where = page.after === null ? { guildId } : { guildId, userId: { $gt: page.after } };
  return em.find(Member, where, { orderBy: { userId: 'asc' }, limit: page.limit });
}
