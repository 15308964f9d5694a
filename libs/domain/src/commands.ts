import { invalid } from './errors.ts';
import { GUILD_PARSERS, type GuildCommand } from './guild/guild.commands.ts';
import { readObject, type Fields } from './input.ts';
import { MESSAGE_PARSERS, type MessageCommand } from './message/message.commands.ts';
import type { AccountCommand } from './user/account.commands.ts';

/** Account commands come only from the HTTP API (registration, profile, sessions), never from a socket. */
export type ParleyCommand = GuildCommand | MessageCommand | AccountCommand;
export type ClientCommand = GuildCommand | MessageCommand;
const ACCOUNT_COMMANDS = new Set<string>(['RegisterAccount', 'UpdateProfile', 'DeleteAccount', 'RevokeSessions'] satisfies AccountCommand['type'][]);
export type CommandType = ParleyCommand['type'];

const PARSERS: Record<string, [string[], (f: Fields) => unknown]> = { ...GUILD_PARSERS, ...MESSAGE_PARSERS };
const isClientCommandType = (type: unknown): type is ClientCommand['type'] => typeof type === 'string' && Object.hasOwn(PARSERS, type);
const MESSAGE_COMMANDS = new Set(Object.keys(MESSAGE_PARSERS));


/**
 * Turns untrusted `{type, data}` into a typed command, or throws a 400
 * DomainError naming the field. Unknown fields are refused. Runs at the
 * gateway, so bad input never reaches the log (the handler trusts the log:
 * see commandFromLog).
 */
export function parseCommand(type: unknown, data: unknown): ClientCommand {
  if (!isClientCommandType(type)) throw invalid('command.unknown_type', `unknown command type ${JSON.stringify(String(type)).slice(0, 80)}`);
  const [fields, read] = PARSERS[type]!;
  return { type, data: read(readObject(data, 'data', fields)) } as ClientCommand;
}

/**
 * A command read back from the command log. The gateway parsed it before
 * writing and its Avro schema fixed its shape, so it is taken as it is
 * (parsing again would read its own output as client input); ids are still
 * checked wherever a subject is built from them.
 */
export function commandFromLog(type: string, data: unknown): ParleyCommand {
  if (!isClientCommandType(type) && !ACCOUNT_COMMANDS.has(type)) throw invalid('command.unknown_type', `unknown command type ${JSON.stringify(type).slice(0, 80)}`);
  return { type, data } as ParleyCommand;
}

export const isAccountCommand = (command: ParleyCommand): command is AccountCommand => ACCOUNT_COMMANDS.has(command.type);

export const isMessageCommand = (command: ParleyCommand): command is MessageCommand => MESSAGE_COMMANDS.has(command.type);

/** The guild whose state decides the command, when the command names it. */
export function targetGuildId(command: ParleyCommand): string | null {
  return 'guildId' in command.data ? command.data.guildId : null;
}
