import type { MessagePosted } from '@parley/domain';
import type { EntityManager } from '@parley/read-model';
import { insertMentions, tuples } from './mentions.rows.ts';

/** A MessagePosted with where it sits: its event log sequence (the message's key) and its decision time. */
export type Posted = { seq: number; time: number; data: MessagePosted['data'] };

const COLUMNS = 'seq, id, guild_id, channel_id, author_id, content, created_at, reply_to, edited_at, deleted, pinned, mentions_everyone, attachments';

/**
 * Inserts a run of posted messages with one multi-row insert, and their
 * mentions with one more. A message already there (a replay) is left as it
 * is, tombstone or edit included, and so are its mentions: only the rows the
 * insert actually created get theirs.
 */
export async function insertPosted(em: EntityManager, run: readonly Posted[]): Promise<void> {
  if (run.length === 0) return;
  const rows = run.map(({ seq, time, data }) => [
    ...[seq, data.messageId, data.guildId, data.channelId, data.authorId, data.content, new Date(time).toISOString()],
    // A Postgres array literal: a JS array would be spread into several bindings. Ids need no quoting.
    ...[data.replyTo, null, false, false, data.mentionsEveryone, `{${data.attachments.join(',')}}`],
  ]);
  const inserted = await em.execute<{ id: string }[]>(
    `insert into messages (${COLUMNS}) values ${tuples(rows)} on conflict do nothing returning id`,
    rows.flat(),
  );
  const created = new Set(inserted.map((row) => row.id));
  await insertMentions(
    em,
    run.filter(({ data }) => created.has(data.messageId)).map(({ seq, data }) => ({ ...data, seq })),
  );
}
