import { applyAccountEvent, PROJECTIONS, saveReadState } from '@parley/read-model';
import type { Projection } from './projection.ts';

/** Everything on users' own streams: accounts and profiles, and read markers. */
export const usersProjection: Projection = {
  name: PROJECTIONS.users,
  subjects: 'evt.*.u',
  async apply(em, batch) {
    for (const { seq, meta, event } of batch) {
      if (event.type === 'ChannelRead') await saveReadState(em, { ...event.data, seq });
      else if (event.type === 'AccountRegistered' || event.type === 'ProfileUpdated' || event.type === 'AccountDeleted' || event.type === 'SessionsRevoked') {
        await applyAccountEvent(em, event, seq, new Date(meta.time));
      }
    }
  },
};
