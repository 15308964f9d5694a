import { PERMISSIONS, type GuildEvent, type GuildEventType } from '@parley/domain';

/**
 * A realistic life of two guilds, as the deciders would have written it,
 * using every guild event type. g1 (alice's, later bob's) grows roles,
 * categories and channels, moves and deletes some, and loses three members;
 * g2 is created and deleted. The comments give the domain's orders after
 * each step; guilds.projection.int.spec.ts asserts the rows they imply.
 */
const { viewChannel, sendMessages, manageMessages, kickMembers, banMembers, manageChannels, manageRoles } = PERMISSIONS;
type Data<T extends GuildEventType> = Extract<GuildEvent, { type: T }>['data'];
// TypeScript cannot tie `type` to its data inside a generic union, hence the cast; the parameters are checked.
const e = <T extends GuildEventType>(type: T, data: Omit<Data<T>, 'guildId'>, guildId = 'g1') =>
  ({ type, data: { guildId, ...data } }) as unknown as GuildEvent;

export const MOD = kickMembers | banMembers | manageChannels | manageRoles;

export const GUILD_LIFE: GuildEvent[] = [
  e('GuildCreated', { name: 'Parley HQ', ownerId: 'alice', categoryId: 'cat1', channelId: 'ch1' }),
  e('InviteCreated', { code: 'INV1', channelId: 'ch1', createdBy: 'alice', maxUses: null, expiresAt: null }),
  e('InviteCreated', { code: 'INV2', channelId: 'ch1', createdBy: 'alice', maxUses: 2, expiresAt: 1_900_000_000_000 }),
  ...['bob', 'carol', 'frank'].map((userId) => e('MemberJoined', { userId, inviteCode: 'INV1' })),
  ...['dave', 'erin'].map((userId) => e('MemberJoined', { userId, inviteCode: 'INV2' })),
  // Roles, lowest first: [mod] -> [helper, mod] -> [muted, helper, mod] -> reordered [mod, helper, muted] -> [vip, mod, helper, muted]
  e('RoleCreated', { roleId: 'mod', name: 'mod', permissions: MOD }),
  e('RoleCreated', { roleId: 'helper', name: 'helper', permissions: 0 }),
  e('RoleCreated', { roleId: 'muted', name: 'muted', permissions: 0 }),
  e('RolesReordered', { roleIds: ['mod', 'helper', 'muted'] }),
  e('RoleCreated', { roleId: 'vip', name: 'vip', permissions: 0 }),
  e('RoleUpdated', { roleId: 'helper', name: 'helpers', permissions: manageMessages }),
  e('RoleAssigned', { roleId: 'mod', userId: 'bob' }),
  e('RoleAssigned', { roleId: 'helper', userId: 'carol' }),
  e('RoleAssigned', { roleId: 'vip', userId: 'carol' }),
  e('RoleAssigned', { roleId: 'helper', userId: 'dave' }),
  e('RoleAssigned', { roleId: 'muted', userId: 'dave' }),
  e('RoleRemoved', { roleId: 'helper', userId: 'dave' }),
  e('NicknameChanged', { userId: 'carol', nickname: 'Caz' }),
  e('NicknameChanged', { userId: 'bob', nickname: 'B' }),
  e('NicknameChanged', { userId: 'bob', nickname: null }),
  // Categories: [cat1] -> [cat1, cat2, cat3]
  e('CategoryCreated', { categoryId: 'cat2', name: 'Staff' }),
  e('CategoryCreated', { categoryId: 'cat3', name: 'Archive' }),
  e('CategoryRenamed', { categoryId: 'cat3', name: 'Old stuff' }),
  // Channels: cat1 [ch1, ch2, ch3], cat2 [ch4], none [ch5], cat3 [ch6]
  e('ChannelCreated', { channelId: 'ch2', name: 'random', categoryId: 'cat1', position: 1 }),
  e('ChannelCreated', { channelId: 'ch3', name: 'rules', categoryId: 'cat1', position: 2 }),
  e('ChannelCreated', { channelId: 'ch4', name: 'mods', categoryId: 'cat2', position: 0 }),
  e('ChannelCreated', { channelId: 'ch5', name: 'lobby', categoryId: null, position: 0 }),
  e('ChannelCreated', { channelId: 'ch6', name: 'old', categoryId: 'cat3', position: 0 }),
  e('ChannelUpdated', { channelId: 'ch1', name: 'general', topic: 'Say hi' }),
  e('ChannelUpdated', { channelId: 'ch5', name: 'lobby-2', topic: null }),
  // cat1 [ch3, ch1, ch2]; then ch2 to the top of cat2: cat1 [ch3, ch1], cat2 [ch2, ch4]; then ch6 out of cat3: none [ch5, ch6]
  e('ChannelMoved', { channelId: 'ch3', categoryId: 'cat1', channelIds: ['ch3', 'ch1', 'ch2'], fromCategoryId: 'cat1', fromChannelIds: ['ch3', 'ch1', 'ch2'] }),
  e('ChannelMoved', { channelId: 'ch2', categoryId: 'cat2', channelIds: ['ch2', 'ch4'], fromCategoryId: 'cat1', fromChannelIds: ['ch3', 'ch1'] }),
  e('ChannelMoved', { channelId: 'ch6', categoryId: null, channelIds: ['ch5', 'ch6'], fromCategoryId: 'cat3', fromChannelIds: [] }),
  e('CategoryDeleted', { categoryId: 'cat3' }),
  e('CategoriesReordered', { categoryIds: ['cat2', 'cat1'] }),
  // #mods hidden from @everyone and shown to mod; muted may not talk in the lobby.
  e('ChannelOverwriteSet', { channelId: 'ch4', targetType: 'role', targetId: 'g1', allow: 0, deny: viewChannel }),
  e('ChannelOverwriteSet', { channelId: 'ch4', targetType: 'role', targetId: 'mod', allow: viewChannel, deny: 0 }),
  e('ChannelOverwriteSet', { channelId: 'ch4', targetType: 'role', targetId: 'mod', allow: viewChannel | sendMessages, deny: 0 }),
  e('ChannelOverwriteSet', { channelId: 'ch5', targetType: 'role', targetId: 'muted', allow: 0, deny: sendMessages }),
  e('ChannelOverwriteSet', { channelId: 'ch1', targetType: 'member', targetId: 'dave', allow: 0, deny: sendMessages }),
  e('ChannelOverwriteSet', { channelId: 'ch2', targetType: 'member', targetId: 'erin', allow: 0, deny: viewChannel }),
  e('ChannelOverwriteSet', { channelId: 'ch6', targetType: 'member', targetId: 'frank', allow: viewChannel, deny: 0 }),
  e('ChannelOverwriteRemoved', { channelId: 'ch1', targetType: 'member', targetId: 'dave' }),
  // cat1 [ch1], cat2 [ch4]; erin's overwrite goes with ch2. Roles [vip, mod, helper]; muted's overwrite goes with it.
  e('ChannelDeleted', { channelId: 'ch3' }),
  e('ChannelDeleted', { channelId: 'ch2' }),
  e('RoleDeleted', { roleId: 'muted' }),
  e('GuildUpdated', { name: 'Parley HQ 2', description: 'Where it happens', iconId: 'icon1', defaultChannelId: 'ch5' }),
  e('InviteRevoked', { code: 'INV1', revokedBy: 'alice' }),
  e('MemberLeft', { userId: 'frank' }),
  e('MemberKicked', { userId: 'erin', kickedBy: 'bob' }),
  e('MemberBanned', { userId: 'dave', bannedBy: 'alice', reason: 'spam' }),
  e('MemberBanned', { userId: 'mallory', bannedBy: 'bob', reason: null }),
  e('MemberUnbanned', { userId: 'mallory', unbannedBy: 'alice' }),
  e('OwnershipTransferred', { previousOwnerId: 'alice', newOwnerId: 'bob' }),
  e('GuildCreated', { name: 'Short-lived', ownerId: 'carol', categoryId: 'g2cat', channelId: 'g2ch' }, 'g2'),
  e('MemberJoined', { userId: 'alice', inviteCode: null }, 'g2'),
  e('GuildDeleted', { deletedBy: 'carol' }, 'g2'),
];

/** Every guild event type, listed so that a new one fails the coverage check until GUILD_LIFE uses it. */
export const GUILD_EVENT_TYPES = Object.keys({
  GuildCreated: 0, GuildUpdated: 0, GuildDeleted: 0, OwnershipTransferred: 0,
  MemberJoined: 0, MemberLeft: 0, MemberKicked: 0, MemberBanned: 0, MemberUnbanned: 0, NicknameChanged: 0,
  RoleCreated: 0, RoleUpdated: 0, RoleDeleted: 0, RolesReordered: 0, RoleAssigned: 0, RoleRemoved: 0,
  CategoryCreated: 0, CategoryRenamed: 0, CategoryDeleted: 0, CategoriesReordered: 0,
  ChannelCreated: 0, ChannelUpdated: 0, ChannelMoved: 0, ChannelDeleted: 0, ChannelOverwriteSet: 0, ChannelOverwriteRemoved: 0,
  InviteCreated: 0, InviteRevoked: 0,
} satisfies Record<GuildEventType, 0>);
