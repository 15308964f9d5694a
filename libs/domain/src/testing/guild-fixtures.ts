import type { CommandMeta } from '../guild/decision.ts';
import type { GuildEvent } from '../guild/guild.events.ts';

/**
 * Building blocks for decider specs: guild g1 owned by alice, with category
 * cat1 and the general channel ch1; @everyone's role id is the guild id.
 */
export const NOW = Date.UTC(2026, 10, 21, 12, 0, 0);
export const G = 'g1';

export const meta = (actorId: string, overrides: Partial<CommandMeta> = {}): CommandMeta => ({
  actorId,
  now: NOW,
  ids: ['ID1', 'ID2', 'ID3'],
  inviteCode: 'CODE1234',
  ...overrides,
});

export const ev = {
  created: (): GuildEvent => ({ type: 'GuildCreated', data: { guildId: G, name: 'Rust Fans', ownerId: 'alice', categoryId: 'cat1', channelId: 'ch1' } }),
  invite: (code = 'INV0001', maxUses: number | null = null, expiresAt: number | null = null, createdBy = 'alice'): GuildEvent => ({
    type: 'InviteCreated',
    data: { guildId: G, code, channelId: 'ch1', createdBy, maxUses, expiresAt },
  }),
  joined: (userId: string, inviteCode: string | null = 'INV0001'): GuildEvent => ({ type: 'MemberJoined', data: { guildId: G, userId, inviteCode } }),
  role: (roleId: string, permissions: number, name = roleId): GuildEvent => ({ type: 'RoleCreated', data: { guildId: G, roleId, name, permissions } }),
  everyone: (permissions: number): GuildEvent => ({ type: 'RoleUpdated', data: { guildId: G, roleId: G, name: '@everyone', permissions } }),
  /** Full order, lowest first. */
  order: (...roleIds: string[]): GuildEvent => ({ type: 'RolesReordered', data: { guildId: G, roleIds } }),
  assigned: (roleId: string, userId: string): GuildEvent => ({ type: 'RoleAssigned', data: { guildId: G, roleId, userId } }),
  channel: (channelId: string, categoryId: string | null = 'cat1', position = 1, name = channelId): GuildEvent => ({
    type: 'ChannelCreated',
    data: { guildId: G, channelId, name, categoryId, position },
  }),
  category: (categoryId: string, name = categoryId): GuildEvent => ({ type: 'CategoryCreated', data: { guildId: G, categoryId, name } }),
  overwrite: (channelId: string, targetType: 'role' | 'member', targetId: string, allow: number, deny: number): GuildEvent => ({
    type: 'ChannelOverwriteSet',
    data: { guildId: G, channelId, targetType, targetId, allow, deny },
  }),
  banned: (userId: string): GuildEvent => ({ type: 'MemberBanned', data: { guildId: G, userId, bannedBy: 'alice', reason: null } }),
  deleted: (): GuildEvent => ({ type: 'GuildDeleted', data: { guildId: G, deletedBy: 'alice' } }),
};

/** alice owns g1; bob and carol joined by invite INV0001. */
export const withMembers = (): GuildEvent[] => [ev.created(), ev.invite(), ev.joined('bob'), ev.joined('carol')];

/**
 * A staffed guild: role `mod` (kick, ban, manageRoles, manageChannels) held by
 * bob, and role `helper` (no permissions) below it, held by carol; dave has
 * no role.
 */
export function staffed(modPermissions: number, helperPermissions = 0): GuildEvent[] {
  return [
    ...withMembers(),
    ev.joined('dave'),
    ev.role('helper', helperPermissions),
    ev.role('mod', modPermissions),
    ev.order('helper', 'mod'),
    ev.assigned('mod', 'bob'),
    ev.assigned('helper', 'carol'),
  ];
}
