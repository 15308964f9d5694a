import { PROJECTIONS, saveReadState } from '@parley/read-model';
import type { Projection } from './projection.ts';

/** Read markers from every user's own stream. */
export const readStatesProjection: Projection = {
  name: PROJECTIONS.readStates,
  subjects: 'evt.*.u',
  async apply(em, batch) {
    for (const { seq, event } of batch) {
      if (event.type !== 'ChannelRead') continue;
      await saveReadState(em, { ...event.data, seq });
    }
  },
};
