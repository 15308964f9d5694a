import { conflict, invalid, notFound } from '../errors.ts';
import type {
  CreateCategory,
  CreateChannel,
  DeleteCategory,
  DeleteChannel,
  MoveChannel,
  RemoveChannelOverwrite,
  RenameCategory,
  ReorderCategories,
  SetChannelOverwrite,
  UpdateChannel,
} from './guild.commands.ts';
import { LIMITS } from './guild.commands.ts';
import type { GuildEvent } from './guild.events.ts';
import { channelsIn, type GuildState } from './guild.state.ts';
import { freshId, type CommandMeta } from './decision.ts';
import { requireCategory, requireGrantable, requirePermission, requirePermutation, requireRole, requireTargetMember } from './guards.ts';

export type ChannelCommand =
  | CreateCategory
  | RenameCategory
  | DeleteCategory
  | ReorderCategories
  | CreateChannel
  | UpdateChannel
  | MoveChannel
  | DeleteChannel
  | SetChannelOverwrite
  | RemoveChannelOverwrite;

function requireRoomIn(state: GuildState, categoryId: string | null): void {
  if (categoryId !== null && channelsIn(state, categoryId).length >= LIMITS.channelsPerCategory) {
    throw conflict('category.full', `a category holds at most ${LIMITS.channelsPerCategory} channels`);
  }
}

export function decideChannels(command: ChannelCommand, state: GuildState, meta: CommandMeta): GuildEvent {
  const { actorId } = meta;
  const guildId = state.guildId;
  switch (command.type) {
    case 'CreateCategory':
      requirePermission(state, actorId, 'manageChannels');
      if (state.categoryOrder.length >= LIMITS.categoriesPerGuild) throw conflict('category.limit', `a guild holds at most ${LIMITS.categoriesPerGuild} categories`);
      return { type: 'CategoryCreated', data: { guildId, categoryId: freshId(meta, 0), name: command.data.name } };
    case 'RenameCategory':
      requirePermission(state, actorId, 'manageChannels');
      requireCategory(state, command.data.categoryId);
      return { type: 'CategoryRenamed', data: { guildId, categoryId: command.data.categoryId, name: command.data.name } };
    case 'DeleteCategory':
      requirePermission(state, actorId, 'manageChannels');
      requireCategory(state, command.data.categoryId);
      if (channelsIn(state, command.data.categoryId).length > 0) throw conflict('category.not_empty', 'move or delete its channels first');
      return { type: 'CategoryDeleted', data: { guildId, categoryId: command.data.categoryId } };
    case 'ReorderCategories':
      requirePermission(state, actorId, 'manageChannels');
      requirePermutation(state.categoryOrder, command.data.categoryIds, 'category');
      return { type: 'CategoriesReordered', data: { guildId, categoryIds: command.data.categoryIds } };
    case 'CreateChannel': {
      requirePermission(state, actorId, 'manageChannels');
      const { name, categoryId } = command.data;
      if (categoryId !== null) requireCategory(state, categoryId);
      requireRoomIn(state, categoryId);
      if (state.channels.size >= LIMITS.channelsPerGuild) throw conflict('channel.limit', `a guild holds at most ${LIMITS.channelsPerGuild} channels`);
      const position = channelsIn(state, categoryId).length;
      return { type: 'ChannelCreated', data: { guildId, channelId: freshId(meta, 0), name, categoryId, position } };
    }
    case 'UpdateChannel': {
      const { channelId, name, topic } = command.data;
      requirePermission(state, actorId, 'manageChannels', channelId);
      const channel = state.channels.get(channelId)!;
      return { type: 'ChannelUpdated', data: { guildId, channelId, name: name ?? channel.name, topic: topic === null ? channel.topic : topic.to } };
    }
    case 'MoveChannel': {
      const { channelId, categoryId, position } = command.data;
      requirePermission(state, actorId, 'manageChannels', channelId);
      if (categoryId !== null) requireCategory(state, categoryId);
      const from = state.channels.get(channelId)!.categoryId;
      const fromChannelIds = channelsIn(state, from).filter((id) => id !== channelId);
      const target = from === categoryId ? fromChannelIds : [...channelsIn(state, categoryId)];
      if (from !== categoryId) requireRoomIn(state, categoryId);
      if (position > target.length) throw invalid('input.out_of_range', `position must be from 0 to ${target.length}`);
      const channelIds = [...target.slice(0, position), channelId, ...target.slice(position)];
      return {
        type: 'ChannelMoved',
        data: { guildId, channelId, categoryId, channelIds, fromCategoryId: from, fromChannelIds: from === categoryId ? channelIds : fromChannelIds },
      };
    }
    case 'DeleteChannel':
      requirePermission(state, actorId, 'manageChannels', command.data.channelId);
      if (command.data.channelId === state.defaultChannelId) throw conflict('channel.is_default', 'choose another default channel first');
      return { type: 'ChannelDeleted', data: { guildId, channelId: command.data.channelId } };
    case 'SetChannelOverwrite': {
      const { channelId, targetType, targetId, allow, deny } = command.data;
      const held = requirePermission(state, actorId, 'manageRoles', channelId);
      if (targetType === 'role') requireRole(state, targetId);
      else requireTargetMember(state, targetId);
      requireGrantable(held, allow | deny);
      return { type: 'ChannelOverwriteSet', data: { guildId, channelId, targetType, targetId, allow, deny } };
    }
    case 'RemoveChannelOverwrite': {
      const { channelId, targetType, targetId } = command.data;
      requirePermission(state, actorId, 'manageRoles', channelId);
      if (!state.channels.get(channelId)!.overwrites.has(`${targetType}:${targetId}`)) {
        throw notFound('overwrite.not_found', 'no such overwrite on this channel');
      }
      return { type: 'ChannelOverwriteRemoved', data: { guildId, channelId, targetType, targetId } };
    }
    default: {
      const exhaustive: never = command;
      return exhaustive;
    }
  }
}
