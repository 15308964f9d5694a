import { isAccountCommand, isMessageCommand, type ParleyCommand } from './commands.ts';
import type { CommandMeta, Decision } from './guild/decision.ts';
import { decideGuild } from './guild/guild.decide.ts';
import type { GuildState } from './guild/guild.state.ts';
import { decideMessage } from './message/message.decide.ts';
import { initialChannelMessages, type ChannelMessages } from './message/message.state.ts';
import { decideAccount } from './user/account.decide.ts';
import { initialUserState, type UserState } from './user/user.events.ts';

/** What a command is decided against: its guild, the channel's messages (message commands), the actor's own stream (account commands). */
export type DecisionContext = { guild: GuildState; messages?: ChannelMessages; user?: UserState };

/**
 * Decides one command: the single event to append, or a DomainError. Pure:
 * time and ids come in `meta`.
 */
export function decide(command: ParleyCommand, context: DecisionContext, meta: CommandMeta): Decision {
  if (isAccountCommand(command)) return decideAccount(command, context.user ?? initialUserState(), meta);
  if (isMessageCommand(command)) return decideMessage(command, context.guild, context.messages ?? initialChannelMessages(), meta);
  return decideGuild(command, context.guild, meta);
}
