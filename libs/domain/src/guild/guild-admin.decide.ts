import { conflict, invalid } from '../errors.ts';
import type { CreateGuild, DeleteGuild, TransferOwnership, UpdateGuild } from './guild.commands.ts';
import type { GuildEvent } from './guild.events.ts';
import type { GuildState } from './guild.state.ts';
import { freshId, type CommandMeta } from './decision.ts';
import { requireChannel, requireGuild, requireOwner, requirePermission, requireTargetMember } from './guards.ts';

export type GuildAdminCommand = CreateGuild | UpdateGuild | DeleteGuild | TransferOwnership;

export function decideGuildAdmin(command: GuildAdminCommand, state: GuildState, meta: CommandMeta): GuildEvent {
  const { actorId } = meta;
  switch (command.type) {
    case 'CreateGuild':
      if (state.exists) throw conflict('guild.exists', 'guild already exists');
      return {
        type: 'GuildCreated',
        data: { guildId: freshId(meta, 0), name: command.data.name, ownerId: actorId, categoryId: freshId(meta, 1), channelId: freshId(meta, 2) },
      };
    case 'UpdateGuild': {
      requirePermission(state, actorId, 'manageGuild');
      const { name, description, iconId, defaultChannelId } = command.data;
      if (defaultChannelId !== null) requireChannel(state, defaultChannelId);
      return {
        type: 'GuildUpdated',
        data: {
          guildId: state.guildId,
          name: name ?? state.name,
          description: description === null ? state.description : description.to,
          iconId: iconId === null ? state.iconId : iconId.to,
          defaultChannelId: defaultChannelId ?? state.defaultChannelId,
        },
      };
    }
    case 'DeleteGuild':
      requireOwner(state, actorId);
      return { type: 'GuildDeleted', data: { guildId: state.guildId, deletedBy: actorId } };
    case 'TransferOwnership': {
      requireGuild(state);
      requireOwner(state, actorId);
      requireTargetMember(state, command.data.userId);
      if (command.data.userId === actorId) throw invalid('guild.already_owner', 'you already own this guild');
      return { type: 'OwnershipTransferred', data: { guildId: state.guildId, previousOwnerId: actorId, newOwnerId: command.data.userId } };
    }
    default: {
      const exhaustive: never = command;
      return exhaustive;
    }
  }
}
