import type { ParleyEvent } from '@parley/domain';
import type { MikroORM } from '@parley/read-model';
import { describe, expect, it } from 'vitest';
import { useProjectedLog } from './projection.harness.ts';
import { usersProjection } from './users.projection.ts';

const at = { guildId: 'g1', channelId: 'ch1' };
/** Two users' own streams: an account's whole life, and read markers moving forward and back. */
const USER_LIFE: ParleyEvent[] = [
  { type: 'AccountRegistered', data: { userId: 'u1', handle: 'alice', displayName: 'Alice', email: 'a@example.org' } },
  { type: 'AccountRegistered', data: { userId: 'u2', handle: 'bob', displayName: 'Bob', email: 'b@example.org' } },
  { type: 'ProfileUpdated', data: { userId: 'u1', displayName: 'Alice A.', bio: 'rustacean', avatarId: 'up1' } },
  { type: 'ChannelRead', data: { userId: 'u1', ...at, messageId: 'm5', messageCursor: 50 } },
  { type: 'ChannelRead', data: { userId: 'u1', ...at, messageId: 'm3', messageCursor: 30 } },
  { type: 'ChannelRead', data: { userId: 'u2', ...at, messageId: 'm9', messageCursor: 90 } },
  { type: 'SessionsRevoked', data: { userId: 'u2', sessionId: null, at: 1_700_000_000_000 } },
  { type: 'AccountDeleted', data: { userId: 'u2', deletedAt: 1_700_000_000_000 } },
];

async function dump(orm: MikroORM) {
  const em = orm.em.fork();
  return {
    users: await em.execute('select id, handle, display_name, bio, avatar_id, deleted from users order by id'),
    read_states: await em.execute('select user_id, channel_id, message_id, message_cursor from read_states order by user_id, channel_id'),
  };
}

describe('the users projection', () => {
  const log = useProjectedLog(usersProjection, USER_LIFE);

  it('writes profiles and read markers, a deleted account freeing its handle', async () => {
    expect(await dump(log.orm)).toEqual({
      users: [
        { id: 'u1', handle: 'alice', display_name: 'Alice A.', bio: 'rustacean', avatar_id: 'up1', deleted: false },
        { id: 'u2', handle: 'u2', display_name: 'Bob', bio: null, avatar_id: null, deleted: true },
      ],
      read_states: [
        { user_id: 'u1', channel_id: 'ch1', message_id: 'm3', message_cursor: '30' },
        { user_id: 'u2', channel_id: 'ch1', message_id: 'm9', message_cursor: '90' },
      ],
    });
  });

  it('changes nothing when the log is projected again, through the runner and straight through the projection', async () => {
    const before = await dump(log.orm);
    await log.orm.em.fork().execute(`update projection_checkpoints set position = 0 where projection = ?`, [usersProjection.name]);
    await log.project(log.orm);
    expect(await dump(log.orm)).toEqual(before);
    await log.orm.em.fork().transactional((em) => usersProjection.apply(em, log.envelopes));
    expect(await dump(log.orm)).toEqual(before);
  });

  it('gives the same rows when rebuilt into an empty database', async () => {
    const fresh = await log.database(await log.env.extraDatabase());
    await log.project(fresh);
    expect(await dump(fresh)).toEqual(await dump(log.orm));
  });
});
