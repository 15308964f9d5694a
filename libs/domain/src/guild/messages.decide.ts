import type { PostMessage } from './guild.commands.ts';
import type { GuildState } from './guild.state.ts';
import type { MessageEvent } from './message.events.ts';
import { freshId, type CommandMeta } from './decision.ts';
import { requirePermission } from './guards.ts';

export type MessageCommand = PostMessage;

/** Messages live on their channel's stream; who may post is decided by the guild's state. */
export function decideMessages(command: MessageCommand, state: GuildState, meta: CommandMeta): MessageEvent {
  const { channelId, content, nonce } = command.data;
  requirePermission(state, meta.actorId, 'viewChannel', channelId);
  requirePermission(state, meta.actorId, 'sendMessages', channelId);
  return {
    type: 'MessagePosted',
    data: { guildId: state.guildId, channelId, messageId: freshId(meta, 0), authorId: meta.actorId, content, nonce },
  };
}
