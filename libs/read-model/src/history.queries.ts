import type { EntityManager } from '@mikro-orm/postgresql';
import { Message, MessageMention, MessageReaction, type MessageRow } from './message.entities.ts';

/** Queries over message history (the history projection). Deleted messages are tombstones: in pages, never pinned, without reactions. */

/**
 * A page of one channel's history. At most one of `around` and
 * `before`/`after` is set; `before` and `after` may be combined.
 */
export type HistoryPage = { before: number | null; after: number | null; around: number | null; limit: number };

/**
 * One page of a channel's history, newest first, by keyset on the event
 * log sequence: `before` pages back in time, `after` pages forward (the
 * oldest `limit` messages after it), `around` centres the page on a cursor
 * (the `ceil(limit / 2)` messages at or before it, the message at the cursor
 * included, and the `floor(limit / 2)` after it), none gives the newest page.
 * Every form walks the `(channel_id, seq)` index.
 */
export async function channelHistory(em: EntityManager, channelId: string, page: HistoryPage): Promise<MessageRow[]> {
  if (page.around !== null) {
    if (page.before !== null || page.after !== null) throw new Error('a history page takes around, or before and after, not both');
    const after = Math.floor(page.limit / 2);
    const newer = after === 0 ? [] : await em.find(Message, { channelId, seq: { $gt: page.around } }, { orderBy: { seq: 'asc' }, limit: after });
    const older = await em.find(Message, { channelId, seq: { $lte: page.around } }, { orderBy: { seq: 'desc' }, limit: Math.ceil(page.limit / 2) });
    return [...newer.reverse(), ...older];
  }
  if (page.after !== null) {
    const rows = await em.find(
      Message,
      { channelId, seq: { $gt: page.after, ...(page.before !== null ? { $lt: page.before } : {}) } },
      { orderBy: { seq: 'asc' }, limit: page.limit },
    );
    return rows.reverse();
  }
  const where = page.before === null ? { channelId } : { channelId, seq: { $lt: page.before } };
  return em.find(Message, where, { orderBy: { seq: 'desc' }, limit: page.limit });
}

/** A channel's pinned messages, newest first (at most 50, as the domain allows). */
export async function pinnedMessages(em: EntityManager, channelId: string): Promise<MessageRow[]> {
  return em.find(Message, { channelId, pinned: true, deleted: false }, { orderBy: { seq: 'desc' } });
}

/** A message of that channel that is not deleted, or null. */
export async function findLiveMessage(em: EntityManager, channelId: string, messageId: string): Promise<MessageRow | null> {
  return em.findOne(Message, { id: messageId, channelId, deleted: false });
}

/** The users who reacted to a message with one emoji, by user id. */
export async function reactionUsers(
  em: EntityManager,
  messageId: string,
  emoji: string,
  page: { after: string | null; limit: number },
): Promise<string[]> {
  const where = page.after === null ? { messageId, emoji } : { messageId, emoji, userId: { $gt: page.after } };
  const rows = await em.find(MessageReaction, where, { orderBy: { userId: 'asc' }, limit: page.limit });
  return rows.map((row) => row.userId);
}

export type MessageMentions = { userIds: string[]; roleIds: string[]; everyone: boolean };
/** One emoji on a message: how many reacted with it and whether the viewer did. */
export type ReactionCount = { emoji: string; count: number; me: boolean };
export type MessageDetails = MessageRow & { mentions: MessageMentions; reactions: ReactionCount[] };

/**
 * The messages with their mentions (in order of first appearance) and their
 * reactions (emojis in the order they first appeared, `me` for `viewerId`):
 * two queries for the whole page, whatever its size.
 */
export async function withDetails(em: EntityManager, rows: readonly MessageRow[], viewerId: string): Promise<MessageDetails[]> {
  const ids = rows.map((row) => row.id);
  const mentions = new Map(rows.map((row) => [row.id, { userIds: [] as string[], roleIds: [] as string[], everyone: row.mentionsEveryone }]));
  const reactions = new Map<string, ReactionCount[]>(ids.map((id) => [id, []]));
  if (ids.length > 0) {
    for (const { messageId, kind, targetId } of await em.find(MessageMention, { messageId: { $in: ids } }, { orderBy: { position: 'asc' } })) {
      const of = mentions.get(messageId)!;
      (kind === 'user' ? of.userIds : of.roleIds).push(targetId);
    }
    const counted = await em.execute<{ message_id: string; emoji: string; count: number; me: boolean }[]>(
      `select message_id, emoji, count(*)::int as count, bool_or(user_id = ?) as me
       from message_reactions where message_id in (?) group by message_id, emoji order by min(seq)`,
      [viewerId, ids],
    );
    for (const { message_id, emoji, count, me } of counted) reactions.get(message_id)!.push({ emoji, count, me });
  }
  return rows.map((row) => ({ ...row, mentions: mentions.get(row.id)!, reactions: reactions.get(row.id)! }));
}
