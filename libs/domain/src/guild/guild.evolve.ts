import { DEFAULT_CATEGORY_NAME, DEFAULT_CHANNEL_NAME, type GuildEvent } from './guild.events.ts';
import { DEFAULT_EVERYONE_PERMISSIONS } from './permissions.ts';
import { orderKey, type GuildState } from './guild.state.ts';

/**
 * Folds one event into the state. It updates the given state in place and
 * returns it: states are owned by exactly one cache entry or one test, and
 * copying the member map on every join would make joins quadratic.
 */
export function evolveGuild(state: GuildState, event: GuildEvent): GuildState {
  switch (event.type) {
    case 'GuildCreated': {
      const { guildId, name, ownerId, categoryId, channelId } = event.data;
      Object.assign(state, { exists: true, guildId, name, ownerId, defaultChannelId: channelId });
      state.roles.set(guildId, { name: '@everyone', permissions: DEFAULT_EVERYONE_PERMISSIONS });
      state.categories.set(categoryId, { name: DEFAULT_CATEGORY_NAME });
      state.categoryOrder = [categoryId];
      state.channels.set(channelId, { name: DEFAULT_CHANNEL_NAME, topic: null, categoryId, overwrites: new Map() });
      state.channelOrder.set(categoryId, [channelId]);
      state.members.set(ownerId, { roles: new Set(), nickname: null });
      return state;
    }
    case 'GuildUpdated':
      Object.assign(state, { name: event.data.name, description: event.data.description, iconId: event.data.iconId, defaultChannelId: event.data.defaultChannelId });
      return state;
    case 'GuildDeleted':
      state.deleted = true;
      return state;
    case 'OwnershipTransferred':
      state.ownerId = event.data.newOwnerId;
      return state;
    case 'MemberJoined': {
      state.members.set(event.data.userId, { roles: new Set(), nickname: null });
      const invite = event.data.inviteCode === null ? undefined : state.invites.get(event.data.inviteCode);
      if (invite) invite.uses += 1;
      return state;
    }
    case 'MemberLeft':
    case 'MemberKicked':
      state.members.delete(event.data.userId);
      return state;
    case 'MemberBanned':
      state.members.delete(event.data.userId);
      state.bans.add(event.data.userId);
      return state;
    case 'MemberUnbanned':
      state.bans.delete(event.data.userId);
      return state;
    case 'NicknameChanged': {
      const member = state.members.get(event.data.userId);
      if (member) member.nickname = event.data.nickname;
      return state;
    }
    case 'RoleCreated':
      state.roles.set(event.data.roleId, { name: event.data.name, permissions: event.data.permissions });
      state.roleOrder = [event.data.roleId, ...state.roleOrder];
      return state;
    case 'RoleUpdated':
      state.roles.set(event.data.roleId, { name: event.data.name, permissions: event.data.permissions });
      return state;
    case 'RoleDeleted': {
      const { roleId } = event.data;
      state.roles.delete(roleId);
      state.roleOrder = state.roleOrder.filter((id) => id !== roleId);
      for (const member of state.members.values()) member.roles.delete(roleId);
      for (const channel of state.channels.values()) channel.overwrites.delete(`role:${roleId}`);
      return state;
    }
    case 'RolesReordered':
      state.roleOrder = [...event.data.roleIds];
      return state;
    case 'RoleAssigned':
      state.members.get(event.data.userId)?.roles.add(event.data.roleId);
      return state;
    case 'RoleRemoved':
      state.members.get(event.data.userId)?.roles.delete(event.data.roleId);
      return state;
    case 'CategoryCreated':
      state.categories.set(event.data.categoryId, { name: event.data.name });
      state.categoryOrder = [...state.categoryOrder, event.data.categoryId];
      return state;
    case 'CategoryRenamed':
      state.categories.set(event.data.categoryId, { name: event.data.name });
      return state;
    case 'CategoryDeleted':
      state.categories.delete(event.data.categoryId);
      state.categoryOrder = state.categoryOrder.filter((id) => id !== event.data.categoryId);
      state.channelOrder.delete(event.data.categoryId);
      return state;
    case 'CategoriesReordered':
      state.categoryOrder = [...event.data.categoryIds];
      return state;
    case 'ChannelCreated': {
      const { channelId, name, categoryId } = event.data;
      state.channels.set(channelId, { name, topic: null, categoryId, overwrites: new Map() });
      state.channelOrder.set(orderKey(categoryId), [...(state.channelOrder.get(orderKey(categoryId)) ?? []), channelId]);
      return state;
    }
    case 'ChannelUpdated': {
      const channel = state.channels.get(event.data.channelId);
      if (channel) Object.assign(channel, { name: event.data.name, topic: event.data.topic });
      return state;
    }
    case 'ChannelMoved': {
      const channel = state.channels.get(event.data.channelId);
      if (channel) channel.categoryId = event.data.categoryId;
      state.channelOrder.set(orderKey(event.data.fromCategoryId), [...event.data.fromChannelIds]);
      state.channelOrder.set(orderKey(event.data.categoryId), [...event.data.channelIds]);
      return state;
    }
    case 'ChannelDeleted': {
      const channel = state.channels.get(event.data.channelId);
      if (!channel) return state;
      const key = orderKey(channel.categoryId);
      state.channelOrder.set(key, (state.channelOrder.get(key) ?? []).filter((id) => id !== event.data.channelId));
      state.channels.delete(event.data.channelId);
      return state;
    }
    case 'ChannelOverwriteSet': {
      const { channelId, targetType, targetId, allow, deny } = event.data;
      state.channels.get(channelId)?.overwrites.set(`${targetType}:${targetId}`, { allow, deny });
      return state;
    }
    case 'ChannelOverwriteRemoved': {
      const { channelId, targetType, targetId } = event.data;
      state.channels.get(channelId)?.overwrites.delete(`${targetType}:${targetId}`);
      return state;
    }
    case 'InviteCreated': {
      const { code, channelId, createdBy, maxUses, expiresAt } = event.data;
      state.invites.set(code, { channelId, createdBy, uses: 0, maxUses, expiresAt, revoked: false });
      return state;
    }
    case 'InviteRevoked': {
      const invite = state.invites.get(event.data.code);
      if (invite) invite.revoked = true;
      return state;
    }
    default: {
      const exhaustive: never = event;
      return exhaustive;
    }
  }
}
