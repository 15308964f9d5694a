import type { Mentions } from '@parley/domain';
import type { EntityManager } from '@parley/read-model';

/** `(?, ?, …), (…)` for a multi-row VALUES list; the parameters are the rows flattened, in order. */
export const tuples = (rows: readonly (readonly unknown[])[]): string => rows.map((row) => `(${row.map(() => '?').join(', ')})`).join(', ');

/** A message's mentions, positioned in the channel by the message's own sequence. */
export type MentionsOf = { messageId: string; channelId: string; seq: number } & Pick<Mentions, 'mentionedUserIds' | 'mentionedRoleIds'>;

/**
 * Inserts the user and role mentions of messages, in one statement. Keyed by
 * (message, kind, target), so inserting the same mentions again changes nothing.
 */
export async function insertMentions(em: EntityManager, messages: readonly MentionsOf[]): Promise<void> {
  const rows = messages.flatMap(({ messageId, channelId, seq, mentionedUserIds, mentionedRoleIds }) => [
    ...mentionedUserIds.map((id, position) => [messageId, 'user', id, position, channelId, seq]),
    ...mentionedRoleIds.map((id, position) => [messageId, 'role', id, position, channelId, seq]),
  ]);
  if (rows.length === 0) return;
  await em.execute(
    `insert into message_mentions (message_id, kind, target_id, position, channel_id, seq) values ${tuples(rows)} on conflict do nothing`,
    rows.flat(),
  );
}

/** Replaces a message's mentions with those of its current content. */
export async function replaceMentions(em: EntityManager, message: MentionsOf): Promise<void> {
  await em.execute('delete from message_mentions where message_id = ?', [message.messageId]);
  await insertMentions(em, [message]);
}
