import { invalid } from '../errors.ts';
import { assertId } from '../ids.ts';
import { readName, readObject, readOptionalCount, readOptionalString, readText } from '../input.ts';

export const LIMITS = {
  guildName: 100,
  channelName: 100,
  messageContent: 4000,
  inviteMaxUses: 1000,
  inviteMaxAgeSeconds: 7 * 24 * 3600,
  channelsPerGuild: 500,
} as const;

export type CreateGuild = { type: 'CreateGuild'; data: { name: string } };
export type CreateChannel = { type: 'CreateChannel'; data: { guildId: string; name: string } };
export type CreateInvite = {
  type: 'CreateInvite';
  data: { guildId: string; channelId: string; maxUses: number | null; maxAgeSeconds: number | null };
};
export type JoinGuild = { type: 'JoinGuild'; data: { code: string } };
export type PostMessage = {
  type: 'PostMessage';
  data: { guildId: string; channelId: string; content: string; nonce: string | null };
};

export type GuildCommand = CreateGuild | CreateChannel | CreateInvite | JoinGuild;
export type ParleyCommand = GuildCommand | PostMessage;
export type CommandType = ParleyCommand['type'];

export const INVITE_CODE_PATTERN = /^[A-Za-z0-9]{6,32}$/;
const NONCE_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Turns untrusted `{type, data}` into a typed command, or throws a 400
 * DomainError naming the field. Runs at the gateway (so bad input never
 * reaches the log) and again in the command handler.
 */
export function parseCommand(type: unknown, data: unknown): ParleyCommand {
  switch (type) {
    case 'CreateGuild': {
      const f = readObject(data, 'data', ['name']);
      return { type, data: { name: readName(f, 'name', LIMITS.guildName) } };
    }
    case 'CreateChannel': {
      const f = readObject(data, 'data', ['guildId', 'name']);
      return { type, data: { guildId: assertId(f['guildId'], 'guildId'), name: readName(f, 'name', LIMITS.channelName) } };
    }
    case 'CreateInvite': {
      const f = readObject(data, 'data', ['guildId', 'channelId', 'maxUses', 'maxAgeSeconds']);
      return {
        type,
        data: {
          guildId: assertId(f['guildId'], 'guildId'),
          channelId: assertId(f['channelId'], 'channelId'),
          maxUses: readOptionalCount(f, 'maxUses', LIMITS.inviteMaxUses),
          maxAgeSeconds: readOptionalCount(f, 'maxAgeSeconds', LIMITS.inviteMaxAgeSeconds),
        },
      };
    }
    case 'JoinGuild': {
      const f = readObject(data, 'data', ['code']);
      const code = readOptionalString(f, 'code', INVITE_CODE_PATTERN);
      if (code === null) throw invalid('input.missing', 'code is required');
      return { type, data: { code } };
    }
    case 'PostMessage': {
      const f = readObject(data, 'data', ['guildId', 'channelId', 'content', 'nonce']);
      return {
        type,
        data: {
          guildId: assertId(f['guildId'], 'guildId'),
          channelId: assertId(f['channelId'], 'channelId'),
          content: readText(f, 'content', LIMITS.messageContent),
          nonce: readOptionalString(f, 'nonce', NONCE_PATTERN),
        },
      };
    }
    default:
      throw invalid('command.unknown_type', `unknown command type ${JSON.stringify(String(type)).slice(0, 80)}`);
  }
}

/** The guild whose state decides the command, when the command names it. */
export function targetGuildId(command: ParleyCommand): string | null {
  return 'guildId' in command.data ? command.data.guildId : null;
}
