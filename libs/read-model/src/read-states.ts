import type { EntityManager } from '@mikro-orm/postgresql';

export type ChannelReadState = {
  channelId: string;
  lastReadMessageId: string | null;
  /** Cursor of the last read message; 0 when the user has read nothing there. */
  lastReadCursor: number;
  /** Live messages after the marker by others. */
  unread: number;
  /** Of those, the ones that mention the user, one of their roles, or @everyone. */
  mentions: number;
};

/**
 * Upserts a read marker. Keyed by user and channel and guarded by the
 * event's own sequence, so a replay (or an older event) changes nothing.
 */
export async function saveReadState(
  em: EntityManager,
  row: { userId: string; guildId: string; channelId: string; messageId: string; messageCursor: number; seq: number },
): Promise<void> {
  await em.execute(
    `insert into read_states (user_id, channel_id, guild_id, message_id, message_cursor, updated_seq) values (?, ?, ?, ?, ?, ?)
     on conflict (user_id, channel_id) do update
       set message_id = excluded.message_id, message_cursor = excluded.message_cursor, updated_seq = excluded.updated_seq
       where read_states.updated_seq < excluded.updated_seq`,
    [row.userId, row.channelId, row.guildId, row.messageId, row.messageCursor, row.seq],
  );
}

/** Read markers with unread and mention counts for every channel of a guild (callers filter to visible ones). */
export async function readStatesOfGuild(em: EntityManager, guildId: string, userId: string): Promise<ChannelReadState[]> {
  const rows = await em.execute<
    { channel_id: string; message_id: string | null; cursor: string; unread: string; mentions: string }[]
  >(
    `select c.id as channel_id, rs.message_id, coalesce(rs.message_cursor, 0) as cursor,
       count(m.seq) as unread,
       count(m.seq) filter (where m.mentions_everyone or exists (
         select 1 from message_mentions mm where mm.message_id = m.id and (
           (mm.kind = 'user' and mm.target_id = ?) or
           (mm.kind = 'role' and mm.target_id in (select role_id from member_roles where guild_id = ? and user_id = ?))))) as mentions
     from channels c
     left join read_states rs on rs.channel_id = c.id and rs.user_id = ?
     left join messages m on m.channel_id = c.id and m.seq > coalesce(rs.message_cursor, 0) and not m.deleted and m.author_id <> ?
     where c.guild_id = ?
     group by c.id, c.position, rs.message_id, rs.message_cursor
     order by c.position, c.id`,
    [userId, guildId, userId, userId, userId, guildId],
  );
  return rows.map((r) => ({
    channelId: r.channel_id,
    lastReadMessageId: r.message_id,
    lastReadCursor: Number(r.cursor),
    unread: Number(r.unread),
    mentions: Number(r.mentions),
  }));
}
