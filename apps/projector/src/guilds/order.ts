import type { EntityManager } from '@parley/read-model';

/**
 * Positions in the read model are what the domain's order arrays say
 * (guild.evolve.ts): the index in the order, plus 1 for roles, whose 0 is
 * @everyone's. Events that reorder carry the full new order, so positions
 * are always written from an id list, never shifted by arithmetic.
 */
export type OrderScope = { table: 'roles' } | { table: 'categories' } | { table: 'channels'; categoryId: string | null };

const SCOPES = {
  // @everyone stays at 0, below every other role.
  roles: { first: 1, where: 'position > 0' },
  categories: { first: 0, where: 'true' },
  // A category's channels, or (null) those outside any category.
  channels: { first: 0, where: 'category_id is not distinct from ?' },
} as const;

/** Gives `ids[i]` position `first + i`, in one statement. Ids of other guilds are left alone. */
export async function writeOrder(em: EntityManager, scope: OrderScope, guildId: string, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await em.execute(
    `update ${scope.table} t set position = o.ordinality - 1 + ?
     from jsonb_array_elements_text(?::jsonb) with ordinality as o(id, ordinality)
     where t.id = o.id and t.guild_id = ?`,
    [SCOPES[scope.table].first, JSON.stringify(ids), guildId],
  );
}

/** The ids of a scope in their current order, e.g. to close the gap a deleted row left. */
export async function currentOrder(em: EntityManager, scope: OrderScope, guildId: string): Promise<string[]> {
  const params = scope.table === 'channels' ? [guildId, scope.categoryId] : [guildId];
  const rows = await em.execute<{ id: string }[]>(
    `select id from ${scope.table} where guild_id = ? and ${SCOPES[scope.table].where} order by position, id`,
    params,
  );
  return rows.map((row) => row.id);
}
