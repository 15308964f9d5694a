import { PERMISSIONS } from '@parley/domain';
import { apiGet, eventually, useSystem } from '@parley/testing';
import { describe, expect, it } from 'vitest';

type ReadState = { channelId: string; lastReadMessageId: string | null; lastReadCursor: number; unread: number; mentions: number };

// Read markers live on each user's own stream: every session of that user
// hears of a move, and the read model counts unread messages and mentions.
describe('read states', () => {
  const harness = useSystem({ gateways: 2 });
  const connect = harness.connect;

  it('counts unread messages and mentions after the marker, and tells every session of the reader when it moves', async () => {
    const alice = await connect('alice', 0);
    const guild = await alice.accepted('CreateGuild', { name: 'Reads' });
    const guildId = guild.data['guildId'] as string;
    const channelId = guild.data['channelId'] as string;
    const invite = await alice.accepted('CreateInvite', { guildId, channelId, maxUses: null, maxAgeSeconds: null });
    const bob = await connect('bob', 1);
    await bob.accepted('JoinGuild', { code: invite.data['code'] });
    const role = (await alice.accepted('CreateRole', { guildId, name: 'readers', permissions: 0 })).data['roleId'] as string;
    await alice.accepted('AssignRole', { guildId, roleId: role, userId: 'bob' });
    const hidden = (await alice.accepted('CreateChannel', { guildId, name: 'staff', categoryId: null })).data['channelId'] as string;
    await alice.accepted('SetChannelOverwrite', { guildId, channelId: hidden, targetType: 'member', targetId: 'bob', allow: 0, deny: PERMISSIONS.viewChannel });
    const bobElsewhere = await connect('bob', 0);

    const post = (content: string) => alice.accepted('PostMessage', { guildId, channelId, content });
    const first = await post('hello');
    await post('hey <@bob>');
    await post('roles: <@&' + role + '>');
    const last = await post('@everyone meeting');
    await bob.accepted('PostMessage', { guildId, channelId, content: 'my own message does not count' });

    const tokenBob = await harness.env.token('bob');
    const statesAt = (cursor: number) =>
      eventually(async () => {
        const res = await apiGet(harness.system.apiUrl, `/v1/guilds/${guildId}/read-states`, tokenBob);
        return res.status === 200 && res.body.cursor >= cursor ? (res.body.data as ReadState[]) : undefined;
      }, 5000, `read states at ${cursor}`);

    expect(await statesAt(last.cursor)).toEqual([{ channelId, lastReadMessageId: null, lastReadCursor: 0, unread: 4, mentions: 3 }]);

    const read = await bob.accepted('MarkRead', { guildId, channelId, messageId: first.data['messageId'] });
    expect(read.data).toMatchObject({ userId: 'bob', messageCursor: first.cursor });
    // Bob's other session, on the other node, hears of the move on his own stream.
    const heard = await bobElsewhere.waitFor((f) => f.op === 'event' && f['type'] === 'ChannelRead', 2000, 'ChannelRead at the other session');
    expect(heard).toMatchObject({ cursor: read.cursor, stream: 'user:bob' });
    // ...and alice, who shares the guild, hears nothing of it.
    await alice.accepted('PostMessage', { guildId, channelId, content: 'after' });
    expect(alice.frames.filter((f) => f['type'] === 'ChannelRead')).toEqual([]);

    const after = await statesAt(read.cursor);
    expect(after).toEqual([{ channelId, lastReadMessageId: first.data['messageId'], lastReadCursor: first.cursor, unread: 4, mentions: 3 }]);

    await bob.accepted('MarkRead', { guildId, channelId, messageId: last.data['messageId'] });
    const latest = await eventually(async () => {
      const states = await statesAt(0);
      return states[0]!.lastReadCursor === last.cursor ? states : undefined;
    }, 5000, 'marker at the last message');
    expect(latest[0]).toMatchObject({ unread: 1, mentions: 0 });
    expect(await bob.command('MarkRead', { guildId, channelId: hidden, messageId: first.data['messageId'] })).toMatchObject({ code: 'permission.viewChannel' });
  });
});
