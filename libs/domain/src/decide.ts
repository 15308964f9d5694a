import { isMessageCommand, type ParleyCommand } from './commands.ts';
import type { CommandMeta, Decision } from './guild/decision.ts';
import { decideGuild } from './guild/guild.decide.ts';
import type { GuildState } from './guild/guild.state.ts';
import { decideMessage } from './message/message.decide.ts';
import { initialChannelMessages, type ChannelMessages } from './message/message.state.ts';

/** What a command is decided against: its guild, and for message commands the channel's messages. */
export type DecisionContext = { guild: GuildState; messages?: ChannelMessages };

/**
 * Decides one command: the single event to append, or a DomainError. Pure:
 * time and ids come in `meta`.
 */
export function decide(command: ParleyCommand, context: DecisionContext, meta: CommandMeta): Decision {
  if (isMessageCommand(command)) return decideMessage(command, context.guild, context.messages ?? initialChannelMessages(), meta);
  return decideGuild(command, context.guild, meta);
}
