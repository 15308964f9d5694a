/**
 * The guild aggregate: its events and how they fold into the state the
 * deciders read. Guild-level events live on the guild's own subject;
 * messages live on one subject per channel (see message.events.ts).
 */
/** Names given to what CreateGuild makes besides the guild itself. */
export const DEFAULT_CATEGORY_NAME = 'Text Channels';
export const DEFAULT_CHANNEL_NAME = 'general';

export type GuildCreated = {
  type: 'GuildCreated';
  data: { guildId: string; name: string; ownerId: string; categoryId: string; channelId: string };
};
export type ChannelCreated = {
  type: 'ChannelCreated';
  data: { guildId: string; channelId: string; name: string; categoryId: string | null; position: number };
};
export type InviteCreated = {
  type: 'InviteCreated';
  data: {
    guildId: string;
    code: string;
    channelId: string;
    createdBy: string;
    maxUses: number | null;
    expiresAt: number | null;
  };
};
export type MemberJoined = {
  type: 'MemberJoined';
  data: { guildId: string; userId: string; inviteCode: string | null };
};

export type GuildEvent = GuildCreated | ChannelCreated | InviteCreated | MemberJoined;

export type ChannelState = { name: string; categoryId: string | null; position: number };
export type InviteState = { channelId: string; uses: number; maxUses: number | null; expiresAt: number | null };

export type GuildState = {
  exists: boolean;
  guildId: string;
  name: string;
  ownerId: string;
  channels: Map<string, ChannelState>;
  members: Set<string>;
  invites: Map<string, InviteState>;
};

export const initialGuildState = (): GuildState => ({
  exists: false,
  guildId: '',
  name: '',
  ownerId: '',
  channels: new Map(),
  members: new Set(),
  invites: new Map(),
});

/**
 * Folds one event into the state. It updates the given state in place and
 * returns it: states are owned by exactly one cache entry or one test, and
 * copying the member set on every join would make joins quadratic.
 */
export function evolveGuild(state: GuildState, event: GuildEvent): GuildState {
  switch (event.type) {
    case 'GuildCreated': {
      const { guildId, name, ownerId, categoryId, channelId } = event.data;
      Object.assign(state, { exists: true, guildId, name, ownerId });
      state.channels.set(channelId, { name: DEFAULT_CHANNEL_NAME, categoryId, position: 0 });
      state.members.add(ownerId);
      return state;
    }
    case 'ChannelCreated': {
      const { channelId, name, categoryId, position } = event.data;
      state.channels.set(channelId, { name, categoryId, position });
      return state;
    }
    case 'InviteCreated': {
      const { code, channelId, maxUses, expiresAt } = event.data;
      state.invites.set(code, { channelId, uses: 0, maxUses, expiresAt });
      return state;
    }
    case 'MemberJoined': {
      state.members.add(event.data.userId);
      const invite = event.data.inviteCode === null ? undefined : state.invites.get(event.data.inviteCode);
      if (invite) invite.uses += 1;
      return state;
    }
    default: {
      const exhaustive: never = event;
      return exhaustive;
    }
  }
}
