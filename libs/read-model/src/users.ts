import type { EntityManager } from '@mikro-orm/postgresql';
import type { UserEvent } from '@parley/domain';

export type UserProfile = { id: string; handle: string; displayName: string; bio: string | null; avatarId: string | null };

/**
 * Writes one account event. Each write is guarded by the event's sequence
 * (`updated_seq`), so a replay or an older event changes nothing.
 */
export async function applyAccountEvent(em: EntityManager, event: UserEvent, seq: number, at: Date): Promise<void> {
  switch (event.type) {
    case 'AccountRegistered':
      await em.execute(
        `insert into users (id, handle, display_name, created_at, updated_seq) values (?, ?, ?, ?, ?) on conflict (id) do nothing`,
        [event.data.userId, event.data.handle, event.data.displayName, at, seq],
      );
      return;
    case 'ProfileUpdated':
      await em.execute(`update users set display_name = ?, bio = ?, avatar_id = ?, updated_seq = ? where id = ? and updated_seq < ?`, [
        event.data.displayName,
        event.data.bio,
        event.data.avatarId,
        seq,
        event.data.userId,
        seq,
      ]);
      return;
    case 'AccountDeleted':
      // The handle is freed for others; the row stays so old messages still name an account.
      await em.execute(`update users set deleted = true, handle = id, updated_seq = ? where id = ? and updated_seq < ?`, [seq, event.data.userId, seq]);
      return;
    case 'SessionsRevoked':
    case 'ChannelRead':
      return;
    default: {
      const exhaustive: never = event;
      throw new Error(`unhandled ${JSON.stringify(exhaustive)}`);
    }
  }
}

export async function findUser(em: EntityManager, userId: string): Promise<UserProfile | null> {
  const rows = await em.execute<{ id: string; handle: string; display_name: string; bio: string | null; avatar_id: string | null }[]>(
    `select id, handle, display_name, bio, avatar_id from users where id = ? and not deleted`,
    [userId],
  );
  const row = rows[0];
  return row ? { id: row.id, handle: row.handle, displayName: row.display_name, bio: row.bio, avatarId: row.avatar_id } : null;
}
