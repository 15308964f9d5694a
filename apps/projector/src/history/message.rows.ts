import type { MessageEvent } from '@parley/domain';
import type { EntityManager } from '@parley/read-model';
import { replaceMentions } from './mentions.rows.ts';

/** Every message event but MessagePosted, which is inserted in runs (posted.rows.ts). */
export type MessageChange = Exclude<MessageEvent['type'], 'MessagePosted'>;
export type Writer<T extends MessageChange> = (em: EntityManager, data: Extract<MessageEvent, { type: T }>['data'], seq: number) => Promise<void>;

/**
 * How each change to a message writes its rows. Every write is safe to repeat
 * and sets absolute values; none reads a value to compute the next one:
 * - a deleted message is final (the domain refuses every later change to it),
 *   so edits, pins and reactions only touch live messages, and a replayed
 *   edit or reaction cannot bring content or reactions back to a tombstone;
 * - the remaining changes (edits, pins, reactions of live messages) undo each
 *   other only in log order, and any replay is a suffix of the log in that
 *   same order, so the last of them leaves the rows as they were.
 */
export const messageRows: { [K in MessageChange]: Writer<K> } = {
  /** The content and its mentions are the edit's, whole. */
  async MessageEdited(em, { messageId, channelId, content, editedAt, mentionsEveryone, mentionedUserIds, mentionedRoleIds }) {
    const [edited] = await em.execute<{ seq: string }[]>(
      'update messages set content = ?, edited_at = ?, mentions_everyone = ? where id = ? and not deleted returning seq',
      [content, new Date(editedAt).toISOString(), mentionsEveryone, messageId],
    );
    if (edited) await replaceMentions(em, { messageId, channelId, seq: Number(edited.seq), mentionedUserIds, mentionedRoleIds });
  },
  MessageDeleted: (em, { messageId }) => tombstone(em, [messageId]),
  MessagesBulkDeleted: (em, { messageIds }) => tombstone(em, messageIds),
  async MessagePinned(em, { messageId }) {
    await em.execute('update messages set pinned = true where id = ? and not deleted', [messageId]);
  },
  async MessageUnpinned(em, { messageId }) {
    await em.execute('update messages set pinned = false where id = ?', [messageId]);
  },
  async ReactionAdded(em, { messageId, emoji, userId }, seq) {
    await em.execute(
      `insert into message_reactions (message_id, emoji, user_id, seq)
       select ?, ?, ?, ? where exists (select 1 from messages where id = ? and not deleted)
       on conflict do nothing`,
      [messageId, emoji, userId, seq, messageId],
    );
  },
  async ReactionRemoved(em, { messageId, emoji, userId }) {
    await em.execute('delete from message_reactions where message_id = ? and emoji = ? and user_id = ?', [messageId, emoji, userId]);
  },
};

/**
 * Deleted messages keep their rows, so pages and replies stay stable; what
 * they said goes: content blanked, unpinned (as in the domain, which frees
 * the pin), their reactions and mentions removed.
 */
async function tombstone(em: EntityManager, messageIds: readonly string[]): Promise<void> {
  if (messageIds.length === 0) return;
  const ids = [...messageIds];
  await em.execute(`update messages set deleted = true, content = '', pinned = false, mentions_everyone = false, attachments = '{}' where id in (?)`, [ids]);
  await em.execute('delete from message_reactions where message_id in (?)', [ids]);
  await em.execute('delete from message_mentions where message_id in (?)', [ids]);
}
