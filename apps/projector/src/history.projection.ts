import { isMessageEvent } from '@parley/domain';
import { PROJECTIONS } from '@parley/read-model';
import { messageRows, type MessageChange, type Writer } from './history/message.rows.ts';
import { insertPosted, type Posted } from './history/posted.rows.ts';
import type { Projection } from './projection.ts';

/**
 * Message history from every channel stream: messages (deleted ones as
 * tombstones), their mentions and their reactions.
 *
 * A batch is applied in log order. A run of consecutive MessagePosted is one
 * multi-row insert (plus one for their mentions): when a channel is busy,
 * that is most of the log. Every other event is a few keyed statements.
 *
 * Projecting an event again changes nothing, beyond the runner's checkpoint
 * (promise 5): posts insert with `on conflict do nothing`, and every other
 * write sets absolute values or deletes by key (see message.rows.ts), so
 * replaying the log over the same rows, from any point to its end, leaves
 * them as they were.
 */
export const historyProjection: Projection = {
  name: PROJECTIONS.history,
  subjects: 'evt.*.c.*',
  async apply(em, batch) {
    let run: Posted[] = [];
    for (const { seq, meta, event } of batch) {
      if (!isMessageEvent(event)) continue; // guild streams are not on this projection's subjects
      if (event.type === 'MessagePosted') {
        run.push({ seq, time: meta.time, data: event.data });
        continue;
      }
      await insertPosted(em, run);
      run = [];
      // TypeScript cannot tie a writer to its event's data inside the union, hence the cast; the table is checked.
      const write = messageRows[event.type] as Writer<MessageChange>;
      await write(em, event.data, seq);
    }
    await insertPosted(em, run);
  },
};
