import { channelPermissions, guildPermissions, has, PERMISSIONS, type GuildState, type PermissionName } from '@parley/domain';
import { findChannel, loadGuildAccess, type EntityManager } from '@parley/read-model';
import { HttpError } from './http.ts';

/**
 * Access checks at the HTTP edge (promise 6), decided by the domain's own
 * permission functions over the read model, so the API and the deciders
 * cannot disagree about who may see what (only about when: the read model
 * lags the log by the projection's delay).
 */

/** The guild, loaded for `userId` only; a non-member gets 404 exactly as for a guild that does not exist. */
export async function guildFor(em: EntityManager, guildId: string, userId: string): Promise<GuildState> {
  const state = await loadGuildAccess(em, guildId, userId);
  if (!state || !state.members.has(userId)) throw new HttpError(404, 'guild.not_found', 'no such guild');
  return state;
}

/** A guild-wide permission, with the same code the deciders reject with. */
export function requirePermission(state: GuildState, userId: string, name: PermissionName): void {
  if (!has(guildPermissions(state, userId), PERMISSIONS[name])) throw new HttpError(403, `permission.${name}`, `you lack the ${name} permission`);
}

export const canView = (state: GuildState, userId: string, channelId: string): boolean =>
  has(channelPermissions(state, userId, channelId), PERMISSIONS.viewChannel);

/**
 * Passes if the user may view the channel. Whoever may not (not a member,
 * kicked, banned, hidden by an overwrite, the guild deleted) gets the answer
 * for a channel that does not exist.
 */
export async function requireVisibleChannel(em: EntityManager, channelId: string, userId: string): Promise<void> {
  const channel = await findChannel(em, channelId);
  const state = channel && (await loadGuildAccess(em, channel.guildId, userId));
  if (!state || !canView(state, userId, channelId)) throw new HttpError(404, 'channel.not_found', 'no such channel');
}
