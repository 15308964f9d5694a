import { initialGuildState, orderKey, type GuildState } from '@parley/domain';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ChannelOverwrite, MemberRole, Role } from './access.entities.ts';
import { Category, Channel, Guild, Member } from './entities.ts';

/**
 * A guild as the domain's GuildState, built from the read model, so that
 * every edge decides access with the deciders' own pure functions
 * (`guildPermissions`, `channelPermissions`) instead of a second copy of the
 * rules. Null for an unknown or deleted guild.
 *
 * With `onlyUserId`, only that user's membership (and member overwrites) is
 * loaded: exactly what the permission functions read to answer for that
 * user, at a cost that does not grow with the guild. Such a state must not
 * be asked about anyone else. Bans and invites are always left empty.
 */
export async function loadGuildAccess(em: EntityManager, guildId: string, onlyUserId?: string): Promise<GuildState | null> {
  const guild = await em.findOne(Guild, { id: guildId, deleted: false });
  if (!guild) return null;
  const state = initialGuildState();
  const { name, description, iconId, defaultChannelId, ownerId } = guild;
  Object.assign(state, { exists: true, guildId, name, description, iconId, defaultChannelId, ownerId });

  const who = onlyUserId === undefined ? { guildId } : { guildId, userId: onlyUserId };
  for (const member of await em.find(Member, who)) state.members.set(member.userId, { roles: new Set(), nickname: member.nickname });
  for (const held of await em.find(MemberRole, who)) state.members.get(held.userId)?.roles.add(held.roleId);

  for (const role of await em.find(Role, { guildId }, { orderBy: { position: 'asc' } })) {
    state.roles.set(role.id, { name: role.name, permissions: role.permissions });
    if (role.id !== guildId) state.roleOrder.push(role.id);
  }
  for (const category of await em.find(Category, { guildId }, { orderBy: { position: 'asc' } })) {
    state.categories.set(category.id, { name: category.name });
    state.categoryOrder.push(category.id);
  }
  for (const channel of await em.find(Channel, { guildId }, { orderBy: { position: 'asc' } })) {
    state.channels.set(channel.id, { name: channel.name, topic: channel.topic, categoryId: channel.categoryId, overwrites: new Map() });
    const key = orderKey(channel.categoryId);
    state.channelOrder.set(key, [...(state.channelOrder.get(key) ?? []), channel.id]);
  }
  const overwrites = onlyUserId === undefined ? { guildId } : { guildId, $or: [{ targetType: 'role' as const }, { targetId: onlyUserId }] };
  for (const o of await em.find(ChannelOverwrite, overwrites)) {
    state.channels.get(o.channelId)?.overwrites.set(`${o.targetType}:${o.targetId}`, { allow: o.allow, deny: o.deny });
  }
  return state;
}
