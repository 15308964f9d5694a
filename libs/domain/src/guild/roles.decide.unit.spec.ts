import { describe, it } from 'vitest';
import { given } from '../testing/decider-specification.ts';
import { ev, G, meta, staffed, withMembers } from '../testing/guild-fixtures.ts';
import { ALL_PERMISSIONS, PERMISSIONS as P } from './permissions.ts';

const MOD = P.manageRoles | P.kickMembers;

describe('CreateRole', () => {
  const create = (permissions: number) => ({ type: 'CreateRole' as const, data: { guildId: G, name: 'new', permissions } });

  it('creates a role with permissions the creator holds', () => {
    given(...staffed(MOD)).when(create(P.kickMembers), meta('bob')).then({ type: 'RoleCreated', data: { guildId: G, roleId: 'ID1', name: 'new', permissions: P.kickMembers } });
  });

  it('refuses to grant a permission the creator lacks', () => {
    given(...staffed(MOD)).when(create(P.banMembers), meta('bob')).thenRejects('permission.not_held', 403);
    given(...staffed(MOD)).when(create(P.administrator), meta('bob')).thenRejects('permission.not_held', 403);
  });

  it('lets the owner grant anything, and refuses members without manageRoles', () => {
    given(...withMembers()).when(create(ALL_PERMISSIONS), meta('alice')).then({ type: 'RoleCreated', data: { guildId: G, roleId: 'ID1', name: 'new', permissions: ALL_PERMISSIONS } });
    given(...staffed(P.kickMembers)).when(create(0), meta('bob')).thenRejects('permission.manageRoles', 403);
  });
});

describe('role hierarchy', () => {
  const update = (roleId: string, permissions: number | null, name: string | null = null) => ({ type: 'UpdateRole' as const, data: { guildId: G, roleId, name, permissions } });

  it('lets a member edit roles below their top role only', () => {
    given(...staffed(MOD)).when(update('helper', P.kickMembers), meta('bob')).then({ type: 'RoleUpdated', data: { guildId: G, roleId: 'helper', name: 'helper', permissions: P.kickMembers } });
    given(...staffed(MOD)).when(update('mod', 0), meta('bob')).thenRejects('role.outranked', 403);
  });

  it('lets a member edit @everyone, which sits below every role', () => {
    given(...staffed(MOD)).when(update(G, 0), meta('bob')).then({ type: 'RoleUpdated', data: { guildId: G, roleId: G, name: '@everyone', permissions: 0 } });
  });

  it('keeps bits the editor lacks if already there, but refuses adding them', () => {
    given(...staffed(MOD, P.banMembers)).when(update('helper', P.banMembers, 'renamed'), meta('bob')).then({
      type: 'RoleUpdated',
      data: { guildId: G, roleId: 'helper', name: 'renamed', permissions: P.banMembers },
    });
    given(...staffed(MOD)).when(update('helper', P.banMembers), meta('bob')).thenRejects('permission.not_held', 403);
  });

  it('deletes a lower role, never @everyone', () => {
    const del = (roleId: string) => ({ type: 'DeleteRole' as const, data: { guildId: G, roleId } });
    given(...staffed(MOD)).when(del('helper'), meta('bob')).then({ type: 'RoleDeleted', data: { guildId: G, roleId: 'helper' } });
    given(...staffed(MOD)).when(del('mod'), meta('bob')).thenRejects('role.outranked', 403);
    given(...staffed(MOD)).when(del(G), meta('alice')).thenRejects('role.everyone', 400);
    given(...staffed(MOD)).when(del('ghost'), meta('alice')).thenRejects('role.not_found', 404);
  });

  it('grants and removes lower roles only, and not twice', () => {
    const assign = (roleId: string, userId: string) => ({ type: 'AssignRole' as const, data: { guildId: G, roleId, userId } });
    const remove = (roleId: string, userId: string) => ({ type: 'RemoveRole' as const, data: { guildId: G, roleId, userId } });
    given(...staffed(MOD)).when(assign('helper', 'dave'), meta('bob')).then({ type: 'RoleAssigned', data: { guildId: G, roleId: 'helper', userId: 'dave' } });
    given(...staffed(MOD)).when(assign('mod', 'dave'), meta('bob')).thenRejects('role.outranked', 403);
    given(...staffed(MOD)).when(assign('helper', 'carol'), meta('bob')).thenRejects('role.already_assigned', 409);
    given(...staffed(MOD)).when(remove('helper', 'carol'), meta('bob')).then({ type: 'RoleRemoved', data: { guildId: G, roleId: 'helper', userId: 'carol' } });
    given(...staffed(MOD)).when(remove('helper', 'dave'), meta('bob')).thenRejects('role.not_assigned', 404);
    given(...staffed(MOD)).when(assign(G, 'dave'), meta('bob')).thenRejects('role.everyone', 400);
    given(...staffed(MOD)).when(assign('helper', 'zed'), meta('bob')).thenRejects('member.not_found', 404);
  });

  it('forgets a deleted role everywhere: holders lose what it gave', () => {
    const deleted = { type: 'RoleDeleted' as const, data: { guildId: G, roleId: 'mod' } };
    given(...staffed(MOD), deleted).when({ type: 'KickMember', data: { guildId: G, userId: 'dave' } }, meta('bob')).thenRejects('permission.kickMembers', 403);
  });
});

describe('ReorderRoles', () => {
  const reorder = (...roleIds: string[]) => ({ type: 'ReorderRoles' as const, data: { guildId: G, roleIds } });
  const three = () => [...staffed(MOD), ev.role('low', 0), ev.order('low', 'helper', 'mod')];

  it('lets a member reorder the roles below their top role', () => {
    given(...three()).when(reorder('helper', 'low', 'mod'), meta('bob')).then({ type: 'RolesReordered', data: { guildId: G, roleIds: ['helper', 'low', 'mod'] } });
  });

  it('refuses moving a role into or out of the positions at or above their top role', () => {
    given(...three()).when(reorder('low', 'mod', 'helper'), meta('bob')).thenRejects('role.outranked', 403);
    given(...three()).when(reorder('mod', 'helper', 'low'), meta('bob')).thenRejects('role.outranked', 403);
  });

  it('lets the owner reorder everything, but only as a full permutation', () => {
    given(...three()).when(reorder('mod', 'helper', 'low'), meta('alice')).then({ type: 'RolesReordered', data: { guildId: G, roleIds: ['mod', 'helper', 'low'] } });
    given(...three()).when(reorder('mod', 'helper'), meta('alice')).thenRejects('role.order_mismatch', 400);
    given(...three()).when(reorder('mod', 'helper', 'ghost'), meta('alice')).thenRejects('role.order_mismatch', 400);
  });

  it('changes who outranks whom', () => {
    // After moving helper above mod, carol (helper) outranks bob (mod).
    given(...staffed(MOD, P.kickMembers), ev.order('mod', 'helper'))
      .when({ type: 'KickMember', data: { guildId: G, userId: 'bob' } }, meta('carol'))
      .then({ type: 'MemberKicked', data: { guildId: G, userId: 'bob', kickedBy: 'carol' } });
  });
});
