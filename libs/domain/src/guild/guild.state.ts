/**
 * What the guild deciders know: the fold of a guild's own stream. Maps are
 * keyed by server-issued ids; orders are arrays of ids, lowest first.
 */
export type Overwrite = { allow: number; deny: number };

export type ChannelState = {
  name: string;
  topic: string | null;
  categoryId: string | null;
  /** Keyed `role:<roleId>` or `member:<userId>`. */
  overwrites: Map<string, Overwrite>;
};

export type RoleState = { name: string; permissions: number };
export type MemberState = { roles: Set<string>; nickname: string | null };
export type InviteState = {
  channelId: string;
  createdBy: string;
  uses: number;
  maxUses: number | null;
  expiresAt: number | null;
  revoked: boolean;
};

export type GuildState = {
  exists: boolean;
  deleted: boolean;
  guildId: string;
  name: string;
  description: string | null;
  iconId: string | null;
  defaultChannelId: string;
  ownerId: string;
  members: Map<string, MemberState>;
  bans: Set<string>;
  /** Every role including @everyone (id = guild id). */
  roles: Map<string, RoleState>;
  /** Roles other than @everyone, lowest first: position = index + 1. */
  roleOrder: string[];
  categories: Map<string, { name: string }>;
  categoryOrder: string[];
  channels: Map<string, ChannelState>;
  /** Channel order per category; key '' holds channels outside any category. */
  channelOrder: Map<string, string[]>;
  invites: Map<string, InviteState>;
};

export const initialGuildState = (): GuildState => ({
  exists: false,
  deleted: false,
  guildId: '',
  name: '',
  description: null,
  iconId: null,
  defaultChannelId: '',
  ownerId: '',
  members: new Map(),
  bans: new Set(),
  roles: new Map(),
  roleOrder: [],
  categories: new Map(),
  categoryOrder: [],
  channels: new Map(),
  channelOrder: new Map(),
  invites: new Map(),
});

export const orderKey = (categoryId: string | null): string => categoryId ?? '';

export function channelsIn(state: GuildState, categoryId: string | null): string[] {
  return state.channelOrder.get(orderKey(categoryId)) ?? [];
}
