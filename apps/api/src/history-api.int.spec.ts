import { PERMISSIONS } from '@parley/domain';
import { beforeAll, describe, expect, it } from 'vitest';
import { apiGet, eventually, TestClient, useSystem } from '@parley/testing';

// Message history as clients read it, through the whole system: replies,
// edits, tombstones of deleted messages, pins, mentions and reactions, pages
// around a cursor, and the same access rule on every route (viewChannel).
type Item = {
  cursor: number;
  id: string;
  authorId: string;
  content: string;
  replyTo: string | null;
  editedAt: string | null;
  deleted: boolean;
  pinned: boolean;
  mentions: { userIds: string[]; roleIds: string[]; everyone: boolean };
  reactions: { emoji: string; count: number; me: boolean }[];
};
const NO_MENTIONS = { userIds: [], roleIds: [], everyone: false };

describe('the message history API', () => {
  const harness = useSystem();
  const clients: Record<string, TestClient> = {};
  const tokens: Record<string, string> = {};
  let guildId: string;
  let general: string;
  let staff: string;
  let modRole: string;
  /** Message id -> its cursor, in the order posted in #general. */
  const posted = new Map<string, number>();
  const ids: Record<string, string> = {};

  const get = (user: string, path: string) => apiGet(harness.system.apiUrl, path, tokens[user]!);
  const accepted = (user: string, type: string, data: Record<string, unknown>) => clients[user]!.accepted(type, data);
  const post = async (label: string, user: string, content: string, extra: Record<string, unknown> = {}) => {
    const event = await accepted(user, 'PostMessage', { guildId, channelId: general, content, ...extra });
    ids[label] = event.data['messageId'] as string;
    posted.set(ids[label], event.cursor);
  };
  const onMessage = (user: string, type: string, label: string, extra: Record<string, unknown> = {}) =>
    accepted(user, type, { guildId, channelId: general, messageId: ids[label], ...extra });
  const history = async (user: string, query = '') => (await get(user, `/v1/channels/${general}/messages${query}`)).body.data as Item[];
  const byId = (items: Item[], label: string) => items.find((item) => item.id === ids[label])!;
  const labels = (items: Item[]) => items.map((item) => Object.keys(ids).find((label) => ids[label] === item.id));
  const reactors = (label: string, emoji: string, query = '', user = 'alice') =>
    get(user, `/v1/channels/${general}/messages/${ids[label]}/reactions/${encodeURIComponent(emoji)}${query}`);

  beforeAll(async () => {
    for (const user of ['alice', 'bob', 'carol', 'mallory']) {
      tokens[user] = await harness.env.token(user);
      clients[user] = await harness.connect(user);
    }
    const guild = await accepted('alice', 'CreateGuild', { name: 'History' });
    [guildId, general] = [guild.data['guildId'] as string, guild.data['channelId'] as string];
    const code = (await accepted('alice', 'CreateInvite', { guildId, channelId: general, maxUses: null, maxAgeSeconds: null })).data['code'];
    for (const user of ['bob', 'carol']) await accepted(user, 'JoinGuild', { code });
    modRole = (await accepted('alice', 'CreateRole', { guildId, name: 'mod', permissions: 0 })).data['roleId'] as string;
    // #staff: hidden from @everyone, so only alice (the owner) sees it.
    staff = (await accepted('alice', 'CreateChannel', { guildId, name: 'staff' })).data['channelId'] as string;
    const hidden = await accepted('alice', 'SetChannelOverwrite', { guildId, channelId: staff, targetType: 'role', targetId: guildId, allow: 0, deny: PERMISSIONS.viewChannel });
    const staffPost = await accepted('alice', 'PostMessage', { guildId, channelId: staff, content: 'staff only' });
    ids['staff'] = staffPost.data['messageId'] as string;

    await post('hello', 'alice', 'hello <@bob>');
    await post('reply', 'bob', `hi <@alice> and <@&${modRole}> @everyone`, { replyTo: ids['hello'] });
    await post('third', 'carol', 'third');
    await onMessage('alice', 'EditMessage', 'hello', { content: 'hello <@carol>' });
    await onMessage('bob', 'AddReaction', 'hello', { emoji: '👍' });
    await onMessage('carol', 'AddReaction', 'hello', { emoji: '👍' });
    await onMessage('alice', 'AddReaction', 'hello', { emoji: 'parrot:123' });
    await onMessage('alice', 'PinMessage', 'hello');
    await onMessage('alice', 'PinMessage', 'reply');
    await post('doomed', 'bob', 'doomed <@carol>');
    await onMessage('carol', 'AddReaction', 'doomed', { emoji: '👍' });
    await onMessage('alice', 'PinMessage', 'doomed');
    await onMessage('bob', 'DeleteMessage', 'doomed');
    await post('bulk1', 'bob', 'bulk one');
    await post('bulk2', 'carol', 'bulk two');
    await accepted('alice', 'BulkDeleteMessages', { guildId, channelId: general, messageIds: [ids['bulk1'], ids['bulk2']] });
    await post('last', 'alice', 'the end');
    const lastCursor = posted.get(ids['last']!)!;
    await eventually(async () => ((await get('alice', `/v1/channels/${general}/messages`)).body.cursor >= lastCursor ? true : undefined), 10_000, 'history');
    await eventually(async () => ((await get('alice', '/v1/guilds')).body.cursor >= hidden.cursor ? true : undefined), 10_000, 'guilds');
  });

  it('returns every message, deleted ones as tombstones, with replies, edits, pins, mentions and reactions', async () => {
    const items = await history('alice');
    expect(labels(items)).toEqual(['last', 'bulk2', 'bulk1', 'doomed', 'third', 'reply', 'hello']);
    expect(items.map((item) => item.cursor)).toEqual([...posted.values()].reverse());
    expect(byId(items, 'hello')).toMatchObject({
      ...{ authorId: 'alice', content: 'hello <@carol>', replyTo: null, editedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/), deleted: false, pinned: true },
      mentions: { userIds: ['carol'], roleIds: [], everyone: false },
      // Emojis in the order they first appeared; `me` is the caller's own.
      reactions: [{ emoji: '👍', count: 2, me: false }, { emoji: 'parrot:123', count: 1, me: true }],
    });
    expect(byId(items, 'reply')).toMatchObject({
      ...{ authorId: 'bob', replyTo: ids['hello'], editedAt: null, pinned: true, reactions: [] },
      mentions: { userIds: ['alice'], roleIds: [modRole], everyone: true },
    });
    // Deleted, whether alone or in bulk: the row stays, what it said goes (pin, reactions, mentions too).
    for (const label of ['doomed', 'bulk1', 'bulk2']) {
      expect(byId(items, label), label).toMatchObject({ content: '', deleted: true, pinned: false, mentions: NO_MENTIONS, reactions: [] });
    }
    expect(byId(items, 'doomed').authorId).toBe('bob');
    expect(byId(items, 'third')).toMatchObject({ content: 'third', deleted: false, pinned: false, mentions: NO_MENTIONS, reactions: [] });
    // `me` follows the caller.
    expect(byId(await history('bob'), 'hello').reactions).toEqual([{ emoji: '👍', count: 2, me: true }, { emoji: 'parrot:123', count: 1, me: false }]);
  });

  it('pages around a cursor: half at or before it, half after, newest first', async () => {
    const third = posted.get(ids['third']!)!;
    expect(labels(await history('alice', `?around=${third}&limit=4`))).toEqual(['bulk1', 'doomed', 'third', 'reply']);
    expect(labels(await history('alice', `?around=${third}&limit=5`))).toEqual(['bulk1', 'doomed', 'third', 'reply', 'hello']);
    expect(labels(await history('alice', `?around=${third}&limit=1`))).toEqual(['third']);
    // A cursor between messages (here an edit's) centres the page there; the ends of the history cut it short.
    expect(labels(await history('alice', `?around=${third + 1}&limit=2`))).toEqual(['doomed', 'third']);
    expect(labels(await history('alice', `?around=${posted.get(ids['last']!)}&limit=4`))).toEqual(['last', 'bulk2']);
    expect(labels(await history('alice', '?around=0&limit=4'))).toEqual(['reply', 'hello']);
    for (const query of [`around=${third}&before=${third}`, `around=${third}&after=1`]) {
      expect(await get('alice', `/v1/channels/${general}/messages?${query}`), query).toMatchObject({ status: 400, body: { error: { code: 'query.around_exclusive' } } });
    }
    expect(await get('alice', `/v1/channels/${general}/messages?around=x`)).toMatchObject({ status: 400, body: { error: { code: 'query.invalid_cursor' } } });
  });

  it('lists the pinned messages that are not deleted, newest first', async () => {
    const pins = await get('alice', `/v1/channels/${general}/pins`);
    expect(pins.status).toBe(200);
    expect(labels(pins.body.data)).toEqual(['reply', 'hello']);
    expect(pins.body.data[1]).toMatchObject({ pinned: true, content: 'hello <@carol>', reactions: [{ emoji: '👍', count: 2, me: false }, { emoji: 'parrot:123', count: 1, me: true }] });
    expect(pins.body.cursor).toBeGreaterThanOrEqual(posted.get(ids['last']!)!);
  });

  it('lists who reacted with an emoji, by user id, paged with after and limit', async () => {
    const ofUsers = (res: { body: { data: { userId: string }[] } }) => res.body.data.map((r) => r.userId);
    expect(ofUsers(await reactors('hello', '👍'))).toEqual(['bob', 'carol']);
    expect(ofUsers(await reactors('hello', '👍', '?limit=1'))).toEqual(['bob']);
    expect(ofUsers(await reactors('hello', '👍', '?after=bob'))).toEqual(['carol']);
    expect(ofUsers(await reactors('hello', '👍', '?after=carol'))).toEqual([]);
    expect(ofUsers(await reactors('hello', 'parrot:123'))).toEqual(['alice']);
    expect(await reactors('hello', '🎉')).toMatchObject({ status: 200, body: { data: [] } });
    // A deleted message's reactions went with it; it is not found, like a message that never was or one of another channel.
    for (const label of ['doomed', 'staff']) {
      expect(await reactors(label, '👍'), label).toMatchObject({ status: 404, body: { error: { code: 'message.not_found' } } });
    }
    expect((await get('alice', `/v1/channels/${general}/messages/NoSuchMessage/reactions/x`)).status).toBe(404);
  });

  it('answers 400 for an emoji the domain would refuse, and for bad paging', async () => {
    for (const emoji of ['%20', 'a%20b', '%0A', 'a%09b', '%C2%85', encodeURIComponent('x'.repeat(65))]) {
      const res = await get('alice', `/v1/channels/${general}/messages/${ids['hello']}/reactions/${emoji}`);
      expect(res, emoji).toMatchObject({ status: 400, body: { error: { code: 'path.invalid_emoji' } } });
    }
    expect((await get('alice', `/v1/channels/${general}/messages/${ids['hello']}/reactions/%zz`)).body.error.code).toBe('path.invalid');
    expect((await get('alice', `/v1/channels/${general}/messages/a.b/reactions/x`)).body.error.code).toBe('path.invalid_id');
    expect((await reactors('hello', '👍', '?after=a.*')).body.error.code).toBe('query.invalid_after');
    expect((await reactors('hello', '👍', '?limit=0')).body.error.code).toBe('query.invalid_limit');
    expect(await reactors('hello', 'x'.repeat(64))).toMatchObject({ status: 200, body: { data: [] } });
  });

  it('answers 404 channel.not_found to whoever may not view the channel, on every route', async () => {
    const routes = (channelId: string, messageId: string) => [
      `/v1/channels/${channelId}/messages`,
      `/v1/channels/${channelId}/messages?around=1`,
      `/v1/channels/${channelId}/pins`,
      `/v1/channels/${channelId}/messages/${messageId}/reactions/${encodeURIComponent('👍')}`,
    ];
    const notFound = { status: 404, body: { error: { code: 'channel.not_found', message: expect.any(String) } } };
    // mallory is no member; carol is, but #staff is hidden from her; nobody sees a channel that does not exist.
    for (const path of routes(general, ids['hello']!)) expect(await get('mallory', path), path).toEqual(notFound);
    for (const path of routes(staff, ids['staff']!)) expect(await get('carol', path), path).toEqual(notFound);
    for (const path of routes('NoSuchChannel', ids['hello']!)) expect(await get('alice', path), path).toEqual(notFound);
    // alice, the owner, sees #staff.
    expect((await get('alice', `/v1/channels/${staff}/messages`)).body.data).toEqual([
      expect.objectContaining({ id: ids['staff'], content: 'staff only', mentions: NO_MENTIONS, reactions: [] }),
    ]);
  });
});
