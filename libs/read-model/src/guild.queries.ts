import type { EntityManager } from '@mikro-orm/postgresql';
import { Ban, MemberRole, type BanRow } from './access.entities.ts';
import { Guild, Invite, type GuildRow, type InviteRow } from './entities.ts';

/** Queries over the guild-domain read models beyond membership (queries.ts). A deleted guild is never found. */

export type UserPage = { after: string | null; limit: number };

/** The roles (other than the implicit @everyone) each of `userIds` holds, in no particular order. */
export async function rolesOfMembers(em: EntityManager, guildId: string, userIds: readonly string[]): Promise<Map<string, string[]>> {
  const roles = new Map<string, string[]>(userIds.map((id) => [id, []]));
  if (userIds.length === 0) return roles;
  for (const { userId, roleId } of await em.find(MemberRole, { guildId, userId: { $in: [...userIds] } })) roles.get(userId)?.push(roleId);
  return roles;
}

/** Every invite of a guild, revoked and used-up ones too, oldest first. */
export async function invitesOfGuild(em: EntityManager, guildId: string): Promise<InviteRow[]> {
  return em.find(Invite, { guildId }, { orderBy: { createdSeq: 'asc' } });
}

export async function bansOfGuild(em: EntityManager, guildId: string, page: UserPage): Promise<BanRow[]> {
  const where = page.after === null ? { guildId } : { guildId, userId: { $gt: page.after } };
  return em.find(Ban, where, { orderBy: { userId: 'asc' }, limit: page.limit });
}

/** An invite with its guild, unless the code is unknown or the guild deleted. */
export async function findInvite(em: EntityManager, code: string): Promise<{ invite: InviteRow; guild: GuildRow } | null> {
  const invite = await em.findOne(Invite, { code });
  const guild = invite && (await em.findOne(Guild, { id: invite.guildId, deleted: false }));
  return invite && guild ? { invite, guild } : null;
}
