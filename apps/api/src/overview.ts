import { channelPermissions, channelsIn, guildPermissions, has, PERMISSIONS, rolePosition, type GuildState } from '@parley/domain';
import { canView } from './access.ts';

type ChannelView = { id: string; name: string; topic: string | null; categoryId: string | null; position: number; permissions: number };

/**
 * What one member sees of a guild: its settings, its roles, and the
 * channels they may view with their permissions in each, in the guild's
 * order. A category whose channels are all hidden is hidden too, unless
 * the member manages channels: its name alone can say too much ("Staff").
 */
export function guildOverview(state: GuildState, userId: string, memberCount: number) {
  const permissions = guildPermissions(state, userId);
  const channels = (categoryId: string | null): ChannelView[] =>
    channelsIn(state, categoryId)
      .map((id, position) => ({ id, position, channel: state.channels.get(id)! }))
      .filter(({ id }) => canView(state, userId, id))
      .map(({ id, position, channel: { name, topic } }) => ({ id, name, topic, categoryId, position, permissions: channelPermissions(state, userId, id) }));
  const categories = state.categoryOrder
    .map((id, position) => ({ id, name: state.categories.get(id)!.name, position, channels: channels(id) }))
    .filter((category) => category.channels.length > 0 || has(permissions, PERMISSIONS.manageChannels));
  const { guildId: id, name, description, iconId, ownerId, defaultChannelId } = state;
  return {
    ...{ id, name, description, iconId, ownerId, defaultChannelId, memberCount, permissions },
    roles: [state.guildId, ...state.roleOrder].map((roleId) => ({ id: roleId, ...state.roles.get(roleId)!, position: rolePosition(state, roleId) })),
    categories,
    channels: channels(null),
  };
}
