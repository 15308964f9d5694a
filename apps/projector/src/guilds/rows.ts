import type { GuildEvent, GuildEventType } from '@parley/domain';
import type { EntityManager } from '@parley/read-model';

/** Where an event sits: its event log sequence and the time it was decided. */
export type At = { seq: number; time: Date };

export type RowWriter<T extends GuildEventType> = (em: EntityManager, data: Extract<GuildEvent, { type: T }>['data'], at: At) => Promise<void>;

/**
 * How each event type changes the rows, one module per area. The guilds
 * projection joins them into one table keyed by every GuildEventType, so an
 * event type without a writer does not compile.
 */
export type RowWriters<T extends GuildEventType> = { [K in T]: RowWriter<K> };

/** member_count moves with the rows actually inserted or deleted. */
export async function countMembers(em: EntityManager, guildId: string, delta: number): Promise<void> {
  if (delta !== 0) await em.execute('update guilds set member_count = member_count + ? where id = ?', [delta, guildId]);
}
