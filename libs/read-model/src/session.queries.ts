import { visibleChannels } from '@parley/domain';
import type { EntityManager } from '@mikro-orm/postgresql';
import { loadGuildAccess } from './access.ts';
import { Member } from './entities.ts';
import { guildsOfUser } from './queries.ts';

export type ReadyGuild = { id: string; name: string; ownerId: string; memberCount: number; channels: string[] };

/** What a gateway session starts from: the user's guilds, each with the channels the user may view. */
export async function readyGuilds(em: EntityManager, userId: string): Promise<ReadyGuild[]> {
  const guilds: ReadyGuild[] = [];
  for (const { id, name, ownerId, memberCount } of await guildsOfUser(em, userId)) {
    const access = await loadGuildAccess(em, id, userId);
    if (access) guilds.push({ id, name, ownerId, memberCount, channels: [...visibleChannels(access, userId)] });
  }
  return guilds;
}

/** Which of `userIds` are members of at least one of `guildIds`. */
export async function membersAmong(em: EntityManager, guildIds: readonly string[], userIds: readonly string[]): Promise<Set<string>> {
  if (guildIds.length === 0 || userIds.length === 0) return new Set();
  const rows = await em.find(Member, { guildId: { $in: [...guildIds] }, userId: { $in: [...userIds] } }, { fields: ['userId'] });
  return new Set(rows.map((row) => row.userId));
}
