import { conflict, forbidden, invalid, notFound } from '../errors.ts';
import type { BanMember, JoinGuild, KickMember, LeaveGuild, SetNickname, UnbanMember } from './guild.commands.ts';
import type { GuildEvent } from './guild.events.ts';
import type { GuildState } from './guild.state.ts';
import type { CommandMeta } from './decision.ts';
import { requireGuild, requireMember, requireOutranks, requirePermission, requireTargetMember } from './guards.ts';

export type MemberCommand = JoinGuild | LeaveGuild | KickMember | BanMember | UnbanMember | SetNickname;

export function decideMembers(command: MemberCommand, state: GuildState, meta: CommandMeta): GuildEvent {
  const { actorId } = meta;
  const guildId = state.guildId;
  switch (command.type) {
    case 'JoinGuild': {
      const invite = state.exists && !state.deleted ? state.invites.get(command.data.code) : undefined;
      // An invite to a channel that was deleted since leads nowhere.
      if (!invite || !state.channels.has(invite.channelId)) throw notFound('invite.not_found', 'no such invite');
      if (invite.revoked) throw invalid('invite.revoked', 'invite has been revoked');
      if (invite.expiresAt !== null && invite.expiresAt <= meta.now) throw invalid('invite.expired', 'invite has expired');
      if (invite.maxUses !== null && invite.uses >= invite.maxUses) throw invalid('invite.used_up', 'invite has no uses left');
      if (state.bans.has(actorId)) throw forbidden('guild.banned', 'you are banned from this guild');
      if (state.members.has(actorId)) throw conflict('guild.already_member', 'you are already a member');
      return { type: 'MemberJoined', data: { guildId, userId: actorId, inviteCode: command.data.code } };
    }
    case 'LeaveGuild':
      requireMember(state, actorId);
      if (state.ownerId === actorId) throw conflict('guild.owner_cannot_leave', 'transfer ownership or delete the guild first');
      return { type: 'MemberLeft', data: { guildId, userId: actorId } };
    case 'KickMember':
      requirePermission(state, actorId, 'kickMembers');
      requireTargetMember(state, command.data.userId);
      requireOutranks(state, actorId, command.data.userId);
      return { type: 'MemberKicked', data: { guildId, userId: command.data.userId, kickedBy: actorId } };
    case 'BanMember': {
      requirePermission(state, actorId, 'banMembers');
      const { userId, reason } = command.data;
      if (state.bans.has(userId)) throw conflict('member.already_banned', 'this user is already banned');
      if (userId === actorId || userId === state.ownerId) throw forbidden('member.outranked', 'you cannot ban yourself or the owner');
      if (state.members.has(userId)) requireOutranks(state, actorId, userId);
      return { type: 'MemberBanned', data: { guildId, userId, bannedBy: actorId, reason } };
    }
    case 'UnbanMember':
      requirePermission(state, actorId, 'banMembers');
      if (!state.bans.has(command.data.userId)) throw notFound('ban.not_found', 'this user is not banned');
      return { type: 'MemberUnbanned', data: { guildId, userId: command.data.userId, unbannedBy: actorId } };
    case 'SetNickname': {
      const { userId, nickname } = command.data;
      requireGuild(state);
      if (userId === actorId) requireMember(state, actorId);
      else {
        requirePermission(state, actorId, 'manageGuild');
        requireTargetMember(state, userId);
        requireOutranks(state, actorId, userId);
      }
      return { type: 'NicknameChanged', data: { guildId, userId, nickname } };
    }
    default: {
      const exhaustive: never = command;
      return exhaustive;
    }
  }
}
