import { Message, PROJECTIONS, type MessageRow } from '@parley/read-model';
import type { Projection } from './projection.ts';

/** Message history from every channel stream, written as one multi-row insert per batch. */
export const historyProjection: Projection = {
  name: PROJECTIONS.history,
  subjects: 'evt.*.c.*',
  async apply(em, batch) {
    const rows: MessageRow[] = [];
    for (const { seq, meta, event } of batch) {
      if (event.type !== 'MessagePosted') continue;
      const { messageId, guildId, channelId, authorId, content } = event.data;
      rows.push({ seq, id: messageId, guildId, channelId, authorId, content, createdAt: new Date(meta.time) });
    }
    if (rows.length > 0) await em.insertMany(Message, rows);
  },
};
