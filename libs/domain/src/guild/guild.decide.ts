import type { GuildCommand } from './guild.commands.ts';
import type { GuildEvent } from './guild.events.ts';
import type { GuildState } from './guild.state.ts';
import { decideChannels } from './channels.decide.ts';
import type { CommandMeta } from './decision.ts';
import { decideGuildAdmin } from './guild-admin.decide.ts';
import { decideInvites } from './invites.decide.ts';
import { decideMembers } from './members.decide.ts';
import { decideRoles } from './roles.decide.ts';

/** Decides a guild command against the guild's state. */
export function decideGuild(command: GuildCommand, state: GuildState, meta: CommandMeta): GuildEvent {
  switch (command.type) {
    case 'CreateGuild':
    case 'UpdateGuild':
    case 'DeleteGuild':
    case 'TransferOwnership':
      return decideGuildAdmin(command, state, meta);
    case 'JoinGuild':
    case 'LeaveGuild':
    case 'KickMember':
    case 'BanMember':
    case 'UnbanMember':
    case 'SetNickname':
      return decideMembers(command, state, meta);
    case 'CreateRole':
    case 'UpdateRole':
    case 'DeleteRole':
    case 'ReorderRoles':
    case 'AssignRole':
    case 'RemoveRole':
      return decideRoles(command, state, meta);
    case 'CreateCategory':
    case 'RenameCategory':
    case 'DeleteCategory':
    case 'ReorderCategories':
    case 'CreateChannel':
    case 'UpdateChannel':
    case 'MoveChannel':
    case 'DeleteChannel':
    case 'SetChannelOverwrite':
    case 'RemoveChannelOverwrite':
      return decideChannels(command, state, meta);
    case 'CreateInvite':
    case 'RevokeInvite':
      return decideInvites(command, state, meta);
    default: {
      const exhaustive: never = command;
      return exhaustive;
    }
  }
}
