import type { GuildState } from './guild.state.ts';

/**
 * Guild permissions as a bitset. Roles grant bits guild-wide; channel
 * overwrites then deny or allow bits per channel for a role or a member.
 * The owner and holders of `administrator` have every bit everywhere.
 */
export const PERMISSIONS = {
  viewChannel: 1 << 0,
  sendMessages: 1 << 1,
  manageMessages: 1 << 2,
  manageChannels: 1 << 3,
  manageRoles: 1 << 4,
  createInvites: 1 << 5,
  kickMembers: 1 << 6,
  banMembers: 1 << 7,
  administrator: 1 << 8,
  manageGuild: 1 << 9,
} as const;
export type PermissionName = keyof typeof PERMISSIONS;

export const ALL_PERMISSIONS = Object.values(PERMISSIONS).reduce((all, bit) => all | bit, 0);

/** What @everyone may do in a new guild. */
export const DEFAULT_EVERYONE_PERMISSIONS = PERMISSIONS.viewChannel | PERMISSIONS.sendMessages | PERMISSIONS.createInvites;

export const has = (permissions: number, bit: number): boolean => (permissions & bit) === bit;

/** The implicit @everyone role shares the guild's id; every member holds it. */
export const everyoneRoleId = (state: GuildState): string => state.guildId;

/** Guild-wide permissions: 0 for non-members, everything for the owner and administrators. */
export function guildPermissions(state: GuildState, userId: string): number {
  const member = state.members.get(userId);
  if (!member) return 0;
  if (userId === state.ownerId) return ALL_PERMISSIONS;
  let permissions = state.roles.get(everyoneRoleId(state))?.permissions ?? 0;
  for (const roleId of member.roles) permissions |= state.roles.get(roleId)?.permissions ?? 0;
  return has(permissions, PERMISSIONS.administrator) ? ALL_PERMISSIONS : permissions;
}

/**
 * Permissions in one channel: guild permissions, then the @everyone
 * overwrite, then the member's roles' overwrites together, then the member's
 * own overwrite; deny before allow at each step. Without viewChannel, nothing.
 */
export function channelPermissions(state: GuildState, userId: string, channelId: string): number {
  const channel = state.channels.get(channelId);
  if (!channel || !state.members.has(userId)) return 0;
  const base = guildPermissions(state, userId);
  if (has(base, PERMISSIONS.administrator)) return ALL_PERMISSIONS;
  const apply = (permissions: number, o?: { allow: number; deny: number }) => (o ? (permissions & ~o.deny) | o.allow : permissions);
  let permissions = apply(base, channel.overwrites.get(`role:${everyoneRoleId(state)}`));
  let allow = 0;
  let deny = 0;
  for (const roleId of state.members.get(userId)!.roles) {
    const o = channel.overwrites.get(`role:${roleId}`);
    if (o) {
      allow |= o.allow;
      deny |= o.deny;
    }
  }
  permissions = apply(permissions, { allow, deny });
  permissions = apply(permissions, channel.overwrites.get(`member:${userId}`));
  return has(permissions, PERMISSIONS.viewChannel) ? permissions : 0;
}

/** Position of a role in the hierarchy: @everyone is 0, others 1..n from the bottom. */
export function rolePosition(state: GuildState, roleId: string): number {
  return roleId === everyoneRoleId(state) ? 0 : state.roleOrder.indexOf(roleId) + 1;
}

/** The top of a member's roles; the owner stands above every role. */
export function highestPosition(state: GuildState, userId: string): number {
  if (userId === state.ownerId) return Number.POSITIVE_INFINITY;
  let highest = 0;
  for (const roleId of state.members.get(userId)?.roles ?? []) highest = Math.max(highest, rolePosition(state, roleId));
  return highest;
}

/** Whether `actorId` outranks `targetId`: no one acts on the owner, themselves, or an equal. */
export function outranks(state: GuildState, actorId: string, targetId: string): boolean {
  if (targetId === state.ownerId || actorId === targetId) return false;
  return highestPosition(state, actorId) > highestPosition(state, targetId);
}

/** The channels a user may see: what the gateway delivers to them and the API lists. */
export function visibleChannels(state: GuildState, userId: string): Set<string> {
  const visible = new Set<string>();
  if (!state.members.has(userId) || state.deleted) return visible;
  for (const channelId of state.channels.keys()) {
    if (has(channelPermissions(state, userId, channelId), PERMISSIONS.viewChannel)) visible.add(channelId);
  }
  return visible;
}
