import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Reads a projection's checkpoint and locks its row for the rest of the
 * transaction, so two projector instances of the same projection serialize
 * and neither applies an event twice.
 */
export async function lockCheckpoint(em: EntityManager, projection: string): Promise<number> {
  await em.execute(
    `insert into projection_checkpoints (projection, position, updated_at) values (?, 0, now()) on conflict (projection) do nothing`,
    [projection],
  );
  const rows = await em.execute<{ position: string }[]>(
    `select position from projection_checkpoints where projection = ? for update`,
    [projection],
  );
  return Number(rows[0]?.position ?? 0);
}

export async function saveCheckpoint(em: EntityManager, projection: string, position: number): Promise<void> {
  await em.execute(`update projection_checkpoints set position = ?, updated_at = now() where projection = ?`, [position, projection]);
}

export async function readCheckpoint(em: EntityManager, projection: string): Promise<number> {
  const rows = await em.execute<{ position: string }[]>(`select position from projection_checkpoints where projection = ?`, [projection]);
  return Number(rows[0]?.position ?? 0);
}
