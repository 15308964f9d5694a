/**
 * The guild aggregate's events: everything on a guild's own stream. Each
 * carries the full values it sets, so projections need no other state.
 */
export const DEFAULT_CATEGORY_NAME = 'Text Channels';
export const DEFAULT_CHANNEL_NAME = 'general';

type G = { guildId: string };
type E<T extends string, D> = { type: T; data: G & D };

export type GuildCreated = E<'GuildCreated', { name: string; ownerId: string; categoryId: string; channelId: string }>;
export type GuildUpdated = E<'GuildUpdated', { name: string; description: string | null; iconId: string | null; defaultChannelId: string }>;
export type GuildDeleted = E<'GuildDeleted', { deletedBy: string }>;
export type OwnershipTransferred = E<'OwnershipTransferred', { previousOwnerId: string; newOwnerId: string }>;

export type MemberJoined = E<'MemberJoined', { userId: string; inviteCode: string | null }>;
export type MemberLeft = E<'MemberLeft', { userId: string }>;
export type MemberKicked = E<'MemberKicked', { userId: string; kickedBy: string }>;
export type MemberBanned = E<'MemberBanned', { userId: string; bannedBy: string; reason: string | null }>;
export type MemberUnbanned = E<'MemberUnbanned', { userId: string; unbannedBy: string }>;
export type NicknameChanged = E<'NicknameChanged', { userId: string; nickname: string | null }>;

export type RoleCreated = E<'RoleCreated', { roleId: string; name: string; permissions: number }>;
export type RoleUpdated = E<'RoleUpdated', { roleId: string; name: string; permissions: number }>;
export type RoleDeleted = E<'RoleDeleted', { roleId: string }>;
/** The complete new order of roles other than @everyone, lowest first. */
export type RolesReordered = E<'RolesReordered', { roleIds: string[] }>;
export type RoleAssigned = E<'RoleAssigned', { roleId: string; userId: string }>;
export type RoleRemoved = E<'RoleRemoved', { roleId: string; userId: string }>;

export type CategoryCreated = E<'CategoryCreated', { categoryId: string; name: string }>;
export type CategoryRenamed = E<'CategoryRenamed', { categoryId: string; name: string }>;
export type CategoryDeleted = E<'CategoryDeleted', { categoryId: string }>;
export type CategoriesReordered = E<'CategoriesReordered', { categoryIds: string[] }>;

export type ChannelCreated = E<'ChannelCreated', { channelId: string; name: string; categoryId: string | null; position: number }>;
export type ChannelUpdated = E<'ChannelUpdated', { channelId: string; name: string; topic: string | null }>;
/** Both affected orders in full: where the channel went, and what it left behind. */
export type ChannelMoved = E<
  'ChannelMoved',
  { channelId: string; categoryId: string | null; channelIds: string[]; fromCategoryId: string | null; fromChannelIds: string[] }
>;
export type ChannelDeleted = E<'ChannelDeleted', { channelId: string }>;
export type ChannelOverwriteSet = E<
  'ChannelOverwriteSet',
  { channelId: string; targetType: 'role' | 'member'; targetId: string; allow: number; deny: number }
>;
export type ChannelOverwriteRemoved = E<'ChannelOverwriteRemoved', { channelId: string; targetType: 'role' | 'member'; targetId: string }>;

export type InviteCreated = E<
  'InviteCreated',
  { code: string; channelId: string; createdBy: string; maxUses: number | null; expiresAt: number | null }
>;
export type InviteRevoked = E<'InviteRevoked', { code: string; revokedBy: string }>;

export type GuildEvent =
  | GuildCreated
  | GuildUpdated
  | GuildDeleted
  | OwnershipTransferred
  | MemberJoined
  | MemberLeft
  | MemberKicked
  | MemberBanned
  | MemberUnbanned
  | NicknameChanged
  | RoleCreated
  | RoleUpdated
  | RoleDeleted
  | RolesReordered
  | RoleAssigned
  | RoleRemoved
  | CategoryCreated
  | CategoryRenamed
  | CategoryDeleted
  | CategoriesReordered
  | ChannelCreated
  | ChannelUpdated
  | ChannelMoved
  | ChannelDeleted
  | ChannelOverwriteSet
  | ChannelOverwriteRemoved
  | InviteCreated
  | InviteRevoked;

export type GuildEventType = GuildEvent['type'];
