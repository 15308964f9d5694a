import { forbidden, invalid, notFound } from '../errors.ts';
import type { GuildState } from './guild.state.ts';
import { channelPermissions, everyoneRoleId, guildPermissions, has, highestPosition, outranks, PERMISSIONS, rolePosition, type PermissionName } from './permissions.ts';

/**
 * The checks deciders share. Each throws the DomainError a client sees.
 * A deleted guild answers like one that never existed.
 */
export function requireGuild(state: GuildState): void {
  if (!state.exists || state.deleted) throw notFound('guild.not_found', 'no such guild');
}

export function requireMember(state: GuildState, userId: string): void {
  requireGuild(state);
  if (!state.members.has(userId)) throw forbidden('guild.not_member', 'you are not a member of this guild');
}

export function requireOwner(state: GuildState, userId: string): void {
  requireMember(state, userId);
  if (state.ownerId !== userId) throw forbidden('guild.owner_only', 'only the guild owner may do this');
}

/** A guild-wide permission, or one in a channel (with its overwrites) when `channelId` is given. */
export function requirePermission(state: GuildState, userId: string, name: PermissionName, channelId?: string): number {
  requireMember(state, userId);
  if (channelId !== undefined) requireChannel(state, channelId);
  const permissions = channelId === undefined ? guildPermissions(state, userId) : channelPermissions(state, userId, channelId);
  if (!has(permissions, PERMISSIONS[name])) throw forbidden(`permission.${name}`, `you lack the ${name} permission`);
  return permissions;
}

/** Channel ids from another guild are simply not found here. */
export function requireChannel(state: GuildState, channelId: string): void {
  if (!state.channels.has(channelId)) throw notFound('channel.not_found', 'no such channel in this guild');
}

export function requireCategory(state: GuildState, categoryId: string): void {
  if (!state.categories.has(categoryId)) throw notFound('category.not_found', 'no such category in this guild');
}

export function requireTargetMember(state: GuildState, userId: string): void {
  if (!state.members.has(userId)) throw notFound('member.not_found', 'no such member in this guild');
}

/** Acting on another member needs a higher top role; no one acts on the owner. */
export function requireOutranks(state: GuildState, actorId: string, targetId: string): void {
  if (!outranks(state, actorId, targetId)) {
    throw forbidden('member.outranked', 'you can only act on members whose highest role is below yours');
  }
}

export function requireRole(state: GuildState, roleId: string): void {
  if (!state.roles.has(roleId)) throw notFound('role.not_found', 'no such role in this guild');
}

/** Managing a role (editing, deleting, granting it) needs a top role above it. */
export function requireRoleBelow(state: GuildState, actorId: string, roleId: string): void {
  requireRole(state, roleId);
  if (rolePosition(state, roleId) >= highestPosition(state, actorId)) {
    throw forbidden('role.outranked', 'you can only manage roles below your highest role');
  }
}

export function requireNotEveryone(state: GuildState, roleId: string): void {
  if (roleId === everyoneRoleId(state)) throw invalid('role.everyone', 'the @everyone role cannot be deleted, assigned or removed');
}

/** No one hands out a permission they do not hold themselves. */
export function requireGrantable(held: number, granted: number): void {
  if ((granted & ~held) !== 0) throw forbidden('permission.not_held', 'you cannot grant permissions you do not have');
}

/** The new order must hold exactly the same ids. */
export function requirePermutation(current: readonly string[], proposed: readonly string[], what: string): void {
  if (current.length !== proposed.length || !current.every((id) => proposed.includes(id))) {
    throw invalid(`${what}.order_mismatch`, `the new ${what} order must list every ${what} exactly once`);
  }
}
