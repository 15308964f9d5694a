import type { MikroORM } from '@parley/read-model';
import { describe, expect, it } from 'vitest';
import { CHANNEL_LIFE, EDITED_AT, MESSAGE_EVENT_TYPE_LIST } from './history.projection.fixture.ts';
import { historyProjection } from './history.projection.ts';
import { useProjectedLog } from './projection.harness.ts';
const T0 = 1_700_000_000_000;

type Row = Record<string, unknown>;
const ms = (column: string) => `(extract(epoch from ${column}) * 1000)::bigint as ${column}`;

/** Every row the history projection owns, in a stable order (byte order for emojis, whatever the database's collation). */
async function dump(orm: MikroORM): Promise<Record<string, Row[]>> {
  const em = orm.em.fork();
  const tables = {
    // Times as epoch milliseconds: raw queries return timestamps as text in the session's time zone.
    messages: `select seq, id, guild_id, channel_id, author_id, content, ${ms('created_at')}, reply_to, ${ms('edited_at')}, deleted, pinned, mentions_everyone, attachments
               from messages order by seq`,
    message_reactions: 'select * from message_reactions order by message_id, emoji collate "C", user_id',
    message_mentions: 'select * from message_mentions order by message_id, kind, position',
  };
  const out: Record<string, Row[]> = {};
  for (const [name, sql] of Object.entries(tables)) out[name] = await em.execute(sql);
  return out;
}

describe('the history projection', () => {
  const log = useProjectedLog(historyProjection, CHANNEL_LIFE, T0);
  const { envelopes, database, project } = log;
  /** The event log sequence of CHANNEL_LIFE[index], as Postgres returns a bigint. */
  const seq = (index: number) => String(envelopes[index]!.seq);
  const at = (index: number) => String(T0 + index * 1000);

  it('is fed every message event type', () => {
    expect(new Set(CHANNEL_LIFE.map((event) => event.type))).toEqual(new Set(MESSAGE_EVENT_TYPE_LIST));
  });

  it('writes the messages, deleted ones as tombstones', async () => {
    const message = (index: number, id: string, channel: string, author: string, rest: Row) => ({
      ...{ seq: seq(index), id, guild_id: 'g1', channel_id: channel, author_id: author, created_at: at(index) },
      ...{ reply_to: null, edited_at: null, deleted: false, pinned: false, mentions_everyone: false, attachments: [], ...rest },
    });
    expect((await dump(log.orm))['messages']).toEqual([
      message(0, 'm1', 'ch1', 'alice', { content: 'hello <@dave> and <@carol>', edited_at: String(EDITED_AT), pinned: true }),
      message(1, 'm2', 'ch1', 'bob', { content: 'hi @everyone and <@&mod>, <@alice>', reply_to: 'm1', mentions_everyone: true }),
      message(2, 'm3', 'ch2', 'carol', { content: 'elsewhere' }),
      // Pinned, reacted, mentioning everyone, edited, then deleted: only the tombstone is left.
      message(12, 'm4', 'ch1', 'alice', { content: '', edited_at: String(EDITED_AT + 1), deleted: true }),
      message(17, 'm5', 'ch1', 'bob', { content: '', deleted: true }),
      message(18, 'm6', 'ch1', 'carol', { content: '', deleted: true }),
      message(22, 'm7', 'ch1', 'dave', { content: 'replying', reply_to: 'm1', attachments: ['up1', 'up2'] }),
    ]);
  });

  it('keeps the reactions of live messages, each with the sequence it was (last) added at', async () => {
    const reaction = (message_id: string, emoji: string, user_id: string, index: number) => ({ message_id, emoji, user_id, seq: seq(index) });
    expect((await dump(log.orm))['message_reactions']).toEqual([
      reaction('m1', '🎉', 'alice', 5),
      reaction('m1', '👍', 'bob', 3),
      reaction('m1', '👍', 'carol', 21),
      reaction('m2', 'parrot:123', 'alice', 6),
      reaction('m3', '🦀', 'carol', 23),
    ]);
  });

  it('keeps the mentions of the current content of live messages, in order, at the message sequence', async () => {
    const mention = (message_id: string, kind: string, target_id: string, position: number, index: number) =>
      ({ message_id, kind, target_id, position, channel_id: 'ch1', seq: seq(index) });
    expect((await dump(log.orm))['message_mentions']).toEqual([
      mention('m1', 'user', 'dave', 0, 0),
      mention('m1', 'user', 'carol', 1, 0),
      mention('m2', 'role', 'mod', 0, 1),
      mention('m2', 'user', 'alice', 0, 1),
    ]);
  });

  it('changes nothing when the whole log is projected again over the same rows, twice', async () => {
    const before = await dump(log.orm);
    for (let round = 0; round < 2; round++) {
      await log.orm.em.fork().execute(`update projection_checkpoints set position = 0 where projection = ?`, [historyProjection.name]);
      await project(log.orm);
      expect(await dump(log.orm)).toEqual(before);
    }
  });

  it('changes nothing when any suffix of the log is applied again, straight through the projection', async () => {
    const before = await dump(log.orm);
    for (let from = 0; from < envelopes.length; from++) {
      await log.orm.em.fork().transactional((em) => historyProjection.apply(em, envelopes.slice(from)));
      expect(await dump(log.orm), `replayed from event ${from}`).toEqual(before);
    }
  });

  it('gives the same rows when rebuilt from sequence 1 into an empty database, whatever the batch size', async () => {
    for (const batchSize of [2, 500]) {
      const fresh = await database(await log.env.extraDatabase());
      await project(fresh, batchSize);
      expect(await dump(fresh), `batches of ${batchSize}`).toEqual(await dump(log.orm));
    }
  });
});
