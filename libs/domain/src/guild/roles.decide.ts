import { conflict, forbidden, notFound } from '../errors.ts';
import type { AssignRole, CreateRole, DeleteRole, RemoveRole, ReorderRoles, UpdateRole } from './guild.commands.ts';
import { LIMITS } from './guild.commands.ts';
import type { GuildEvent } from './guild.events.ts';
import type { GuildState } from './guild.state.ts';
import { freshId, type CommandMeta } from './decision.ts';
import {
  requireGrantable,
  requireNotEveryone,
  requirePermission,
  requirePermutation,
  requireRoleBelow,
  requireTargetMember,
} from './guards.ts';
import { highestPosition } from './permissions.ts';

export type RoleCommand = CreateRole | UpdateRole | DeleteRole | ReorderRoles | AssignRole | RemoveRole;

/**
 * Roles follow the hierarchy: a member manages only roles below their own
 * highest role, and grants only permissions they hold. New roles start at
 * the bottom, just above @everyone.
 */
export function decideRoles(command: RoleCommand, state: GuildState, meta: CommandMeta): GuildEvent {
  const { actorId } = meta;
  const guildId = state.guildId;
  switch (command.type) {
    case 'CreateRole': {
      const held = requirePermission(state, actorId, 'manageRoles');
      if (state.roleOrder.length >= LIMITS.rolesPerGuild) throw conflict('role.limit', `a guild holds at most ${LIMITS.rolesPerGuild} roles`);
      requireGrantable(held, command.data.permissions);
      return { type: 'RoleCreated', data: { guildId, roleId: freshId(meta, 0), name: command.data.name, permissions: command.data.permissions } };
    }
    case 'UpdateRole': {
      const held = requirePermission(state, actorId, 'manageRoles');
      const { roleId, name, permissions } = command.data;
      requireRoleBelow(state, actorId, roleId);
      const role = state.roles.get(roleId)!;
      const next = permissions ?? role.permissions;
      requireGrantable(held, next & ~role.permissions);
      return { type: 'RoleUpdated', data: { guildId, roleId, name: name ?? role.name, permissions: next } };
    }
    case 'DeleteRole':
      requirePermission(state, actorId, 'manageRoles');
      requireNotEveryone(state, command.data.roleId);
      requireRoleBelow(state, actorId, command.data.roleId);
      return { type: 'RoleDeleted', data: { guildId, roleId: command.data.roleId } };
    case 'ReorderRoles': {
      requirePermission(state, actorId, 'manageRoles');
      const { roleIds } = command.data;
      requirePermutation(state.roleOrder, roleIds, 'role');
      // Positions at or above the actor's top role must keep the role they hold.
      const top = highestPosition(state, actorId);
      roleIds.forEach((roleId, index) => {
        if (index + 1 >= top && state.roleOrder[index] !== roleId) {
          throw forbidden('role.outranked', 'you can only reorder roles below your highest role');
        }
      });
      return { type: 'RolesReordered', data: { guildId, roleIds } };
    }
    case 'AssignRole':
    case 'RemoveRole': {
      requirePermission(state, actorId, 'manageRoles');
      const { roleId, userId } = command.data;
      requireNotEveryone(state, roleId);
      requireRoleBelow(state, actorId, roleId);
      requireTargetMember(state, userId);
      const holds = state.members.get(userId)!.roles.has(roleId);
      if (command.type === 'AssignRole') {
        if (holds) throw conflict('role.already_assigned', 'the member already has this role');
        return { type: 'RoleAssigned', data: { guildId, roleId, userId } };
      }
      if (!holds) throw notFound('role.not_assigned', 'the member does not have this role');
      return { type: 'RoleRemoved', data: { guildId, roleId, userId } };
    }
    default: {
      const exhaustive: never = command;
      return exhaustive;
    }
  }
}
