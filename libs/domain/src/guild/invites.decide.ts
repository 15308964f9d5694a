import { forbidden, invalid, notFound } from '../errors.ts';
import type { CreateInvite, RevokeInvite } from './guild.commands.ts';
import type { GuildEvent } from './guild.events.ts';
import type { GuildState } from './guild.state.ts';
import type { CommandMeta } from './decision.ts';
import { requireMember, requirePermission } from './guards.ts';
import { guildPermissions, has, PERMISSIONS } from './permissions.ts';

export type InviteCommand = CreateInvite | RevokeInvite;

export function decideInvites(command: InviteCommand, state: GuildState, meta: CommandMeta): GuildEvent {
  const { actorId } = meta;
  const guildId = state.guildId;
  switch (command.type) {
    case 'CreateInvite': {
      const { channelId, maxUses, maxAgeSeconds } = command.data;
      requirePermission(state, actorId, 'createInvites', channelId);
      const expiresAt = maxAgeSeconds === null ? null : meta.now + maxAgeSeconds * 1000;
      return { type: 'InviteCreated', data: { guildId, code: meta.inviteCode, channelId, createdBy: actorId, maxUses, expiresAt } };
    }
    case 'RevokeInvite': {
      requireMember(state, actorId);
      const invite = state.invites.get(command.data.code);
      if (!invite) throw notFound('invite.not_found', 'no such invite');
      if (invite.revoked) throw invalid('invite.revoked', 'invite has already been revoked');
      if (invite.createdBy !== actorId && !has(guildPermissions(state, actorId), PERMISSIONS.manageGuild)) {
        throw forbidden('permission.manageGuild', 'only the invite creator or members with manageGuild may revoke it');
      }
      return { type: 'InviteRevoked', data: { guildId, code: command.data.code, revokedBy: actorId } };
    }
    default: {
      const exhaustive: never = command;
      return exhaustive;
    }
  }
}
