import { conflict, forbidden, invalid, notFound } from '../errors.ts';
import type { ParleyCommand } from './guild.commands.ts';
import { LIMITS } from './guild.commands.ts';
import type { GuildEvent, GuildState } from './guild.events.ts';
import type { MessageEvent } from './message.events.ts';

/**
 * What the command handler knows that the domain must not make up itself:
 * who acts, when, and fresh server-issued ids, so that deciding is pure and
 * tests are deterministic.
 */
export type CommandMeta = {
  actorId: string;
  now: number;
  /** At least three fresh ids matching ID_PATTERN, used in order. */
  ids: readonly string[];
  /** A fresh unguessable invite code matching INVITE_CODE_PATTERN. */
  inviteCode: string;
};

export type Decision = GuildEvent | MessageEvent;

function fresh(meta: CommandMeta, index: number): string {
  const id = meta.ids[index];
  if (id === undefined) throw new Error(`decider needs at least ${index + 1} fresh ids`);
  return id;
}

function requireGuild(state: GuildState): void {
  if (!state.exists) throw notFound('guild.not_found', 'no such guild');
}

function requireMember(state: GuildState, userId: string): void {
  requireGuild(state);
  if (!state.members.has(userId)) throw forbidden('guild.not_member', 'you are not a member of this guild');
}

function requireChannel(state: GuildState, channelId: string): void {
  if (!state.channels.has(channelId)) throw notFound('channel.not_found', 'no such channel in this guild');
}

/**
 * Decides one command against the guild's state: the single event to append,
 * or a DomainError. One command yields exactly one event, so an append is
 * atomic by construction (docs/decisions/003-one-event-per-command.md).
 */
export function decide(command: ParleyCommand, state: GuildState, meta: CommandMeta): Decision {
  switch (command.type) {
    case 'CreateGuild': {
      if (state.exists) throw conflict('guild.exists', 'guild already exists');
      return {
        type: 'GuildCreated',
        data: {
          guildId: fresh(meta, 0),
          name: command.data.name,
          ownerId: meta.actorId,
          categoryId: fresh(meta, 1),
          channelId: fresh(meta, 2),
        },
      };
    }
    case 'CreateChannel': {
      requireMember(state, meta.actorId);
      if (state.ownerId !== meta.actorId) {
        throw forbidden('permission.manage_channels', 'only the guild owner may create channels');
      }
      if (state.channels.size >= LIMITS.channelsPerGuild) {
        throw conflict('channel.limit', `a guild holds at most ${LIMITS.channelsPerGuild} channels`);
      }
      return {
        type: 'ChannelCreated',
        data: {
          guildId: state.guildId,
          channelId: fresh(meta, 0),
          name: command.data.name,
          categoryId: null,
          position: state.channels.size,
        },
      };
    }
    case 'CreateInvite': {
      requireMember(state, meta.actorId);
      requireChannel(state, command.data.channelId);
      const { maxUses, maxAgeSeconds } = command.data;
      return {
        type: 'InviteCreated',
        data: {
          guildId: state.guildId,
          code: meta.inviteCode,
          channelId: command.data.channelId,
          createdBy: meta.actorId,
          maxUses,
          expiresAt: maxAgeSeconds === null ? null : meta.now + maxAgeSeconds * 1000,
        },
      };
    }
    case 'JoinGuild': {
      const invite = state.exists ? state.invites.get(command.data.code) : undefined;
      if (!invite) throw notFound('invite.not_found', 'no such invite');
      if (invite.expiresAt !== null && invite.expiresAt <= meta.now) throw invalid('invite.expired', 'invite has expired');
      if (invite.maxUses !== null && invite.uses >= invite.maxUses) throw invalid('invite.used_up', 'invite has no uses left');
      if (state.members.has(meta.actorId)) throw conflict('guild.already_member', 'you are already a member');
      return {
        type: 'MemberJoined',
        data: { guildId: state.guildId, userId: meta.actorId, inviteCode: command.data.code },
      };
    }
    case 'PostMessage': {
      requireMember(state, meta.actorId);
      requireChannel(state, command.data.channelId);
      return {
        type: 'MessagePosted',
        data: {
          guildId: state.guildId,
          channelId: command.data.channelId,
          messageId: fresh(meta, 0),
          authorId: meta.actorId,
          content: command.data.content,
          nonce: command.data.nonce,
        },
      };
    }
    default: {
      const exhaustive: never = command;
      return exhaustive;
    }
  }
}
