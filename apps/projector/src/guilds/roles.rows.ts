import { ChannelOverwrite, MemberRole, Role } from '@parley/read-model';
import { currentOrder, writeOrder } from './order.ts';
import type { RowWriters } from './rows.ts';

type RoleEvent = 'RoleCreated' | 'RoleUpdated' | 'RoleDeleted' | 'RolesReordered' | 'RoleAssigned' | 'RoleRemoved';
const ROLES = { table: 'roles' } as const;

export const roleRows: RowWriters<RoleEvent> = {
  /** A new role starts at the bottom, just above @everyone; the others move up one. */
  async RoleCreated(em, { guildId, roleId, name, permissions }) {
    const above = await currentOrder(em, ROLES, guildId);
    await em.insert(Role, { id: roleId, guildId, name, permissions, position: 1 });
    await writeOrder(em, ROLES, guildId, [roleId, ...above]);
  },
  async RoleUpdated(em, { roleId, name, permissions }) {
    await em.nativeUpdate(Role, { id: roleId }, { name, permissions });
  },
  /** Gone with it: who held it, its channel overwrites, and its place in the order. */
  async RoleDeleted(em, { guildId, roleId }) {
    await em.nativeDelete(Role, { id: roleId });
    await em.nativeDelete(MemberRole, { guildId, roleId });
    await em.nativeDelete(ChannelOverwrite, { guildId, targetType: 'role', targetId: roleId });
    await writeOrder(em, ROLES, guildId, await currentOrder(em, ROLES, guildId));
  },
  RolesReordered: (em, { guildId, roleIds }) => writeOrder(em, ROLES, guildId, roleIds),
  async RoleAssigned(em, { guildId, roleId, userId }) {
    await em.insert(MemberRole, { guildId, userId, roleId });
  },
  async RoleRemoved(em, { guildId, roleId, userId }) {
    await em.nativeDelete(MemberRole, { guildId, userId, roleId });
  },
};
