import { conflict, forbidden, notFound } from '../errors.ts';
import { freshId, type CommandMeta } from '../guild/decision.ts';
import { requirePermission } from '../guild/guards.ts';
import type { GuildState } from '../guild/guild.state.ts';
import { has, PERMISSIONS } from '../guild/permissions.ts';
import { parseMentions } from './mentions.ts';
import { MESSAGE_LIMITS, type MessageCommand } from './message.commands.ts';
import type { UserEvent } from '../user/user.events.ts';
import type { MessageEvent } from './message.events.ts';
import type { ChannelMessages, MessageState } from './message.state.ts';

function requireMessage(channel: ChannelMessages, messageId: string): MessageState {
  const message = channel.messages.get(messageId);
  if (!message || message.deleted) throw notFound('message.not_found', `no message ${messageId} in this channel`);
  return message;
}

/**
 * Decides a command on one channel's messages. Who may act comes from the
 * guild's state (channel permissions); what exists comes from the channel's
 * own stream. Every command needs viewChannel there: a hidden channel's
 * messages are not found by those who cannot see it.
 */
export function decideMessage(command: MessageCommand, guild: GuildState, channel: ChannelMessages, meta: CommandMeta): MessageEvent | UserEvent {
  const { actorId } = meta;
  const { channelId } = command.data;
  const permissions = requirePermission(guild, actorId, 'viewChannel', channelId);
  const at = { guildId: guild.guildId, channelId };
  switch (command.type) {
    case 'PostMessage': {
      requirePermission(guild, actorId, 'sendMessages', channelId);
      const { content, nonce, replyTo, attachments } = command.data;
      const earlier = nonce === null ? undefined : channel.nonces.get(`${actorId}:${nonce}`);
      if (earlier !== undefined) throw conflict('message.duplicate_nonce', `already posted as message ${earlier}`);
      if (replyTo !== null) requireMessage(channel, replyTo);
      return {
        type: 'MessagePosted',
        data: { ...at, messageId: freshId(meta, 0), authorId: actorId, content, nonce, replyTo, attachments, ...parseMentions(content, guild) },
      };
    }
    case 'EditMessage': {
      const message = requireMessage(channel, command.data.messageId);
      if (message.authorId !== actorId) throw forbidden('message.not_author', 'only the author may edit a message');
      const { messageId, content } = command.data;
      return { type: 'MessageEdited', data: { ...at, messageId, content, editedAt: meta.now, ...parseMentions(content, guild) } };
    }
    case 'DeleteMessage': {
      const message = requireMessage(channel, command.data.messageId);
      if (message.authorId !== actorId && !has(permissions, PERMISSIONS.manageMessages)) {
        throw forbidden('permission.manageMessages', 'only the author or members with manageMessages may delete a message');
      }
      return { type: 'MessageDeleted', data: { ...at, messageId: command.data.messageId, deletedBy: actorId } };
    }
    case 'BulkDeleteMessages':
      requirePermission(guild, actorId, 'manageMessages', channelId);
      for (const messageId of command.data.messageIds) requireMessage(channel, messageId);
      return { type: 'MessagesBulkDeleted', data: { ...at, messageIds: command.data.messageIds, deletedBy: actorId } };
    case 'PinMessage': {
      requirePermission(guild, actorId, 'manageMessages', channelId);
      const message = requireMessage(channel, command.data.messageId);
      if (message.pinned) throw conflict('message.already_pinned', 'the message is already pinned');
      if (channel.pinnedCount >= MESSAGE_LIMITS.pinsPerChannel) {
        throw conflict('channel.pins_full', `a channel holds at most ${MESSAGE_LIMITS.pinsPerChannel} pins`);
      }
      return { type: 'MessagePinned', data: { ...at, messageId: command.data.messageId, pinnedBy: actorId } };
    }
    case 'UnpinMessage': {
      requirePermission(guild, actorId, 'manageMessages', channelId);
      if (!requireMessage(channel, command.data.messageId).pinned) throw conflict('message.not_pinned', 'the message is not pinned');
      return { type: 'MessageUnpinned', data: { ...at, messageId: command.data.messageId, unpinnedBy: actorId } };
    }
    case 'AddReaction': {
      requirePermission(guild, actorId, 'sendMessages', channelId);
      const { messageId, emoji } = command.data;
      const reactions = requireMessage(channel, messageId).reactions;
      if (reactions.get(emoji)?.has(actorId)) throw conflict('reaction.exists', 'you already reacted with this emoji');
      if (!reactions.has(emoji) && reactions.size >= MESSAGE_LIMITS.reactionsPerMessage) {
        throw conflict('message.reactions_full', `a message holds at most ${MESSAGE_LIMITS.reactionsPerMessage} different reactions`);
      }
      return { type: 'ReactionAdded', data: { ...at, messageId, emoji, userId: actorId } };
    }
    case 'RemoveReaction': {
      const { messageId, emoji } = command.data;
      if (!requireMessage(channel, messageId).reactions.get(emoji)?.has(actorId)) throw notFound('reaction.not_found', 'you have not reacted with this emoji');
      return { type: 'ReactionRemoved', data: { ...at, messageId, emoji, userId: actorId } };
    }
    case 'MarkRead': {
      // Reading up to a message deleted since is fine: the marker is a place in the channel.
      const message = channel.messages.get(command.data.messageId);
      if (!message) throw notFound('message.not_found', `no message ${command.data.messageId} in this channel`);
      const { messageId } = command.data;
      return { type: 'ChannelRead', data: { userId: actorId, ...at, messageId, messageCursor: message.seq } };
    }
    default: {
      const exhaustive: never = command;
      return exhaustive;
    }
  }
}
