import { PERMISSIONS } from '@parley/domain';
import { TestClient, useSystem, type Frame } from '@parley/testing';
import { describe, expect, it } from 'vitest';

// Promise 6 at the edge: a user receives only what they may see now, and
// losing access (kick, ban, hidden channel, deleted guild) stops delivery at once.
describe('gateway access control', () => {
  const { connect } = useSystem({ gateways: 2 });

  /** alice owns a guild on node 0; the others join it, each on node 1. */
  async function guildWith(...others: string[]) {
    const owner = await connect(`alice-${others.join('-')}`, 0);
    const guild = await owner.accepted('CreateGuild', { name: 'Access' });
    const guildId = guild.data['guildId'] as string;
    const general = guild.data['channelId'] as string;
    const invite = await owner.accepted('CreateInvite', { guildId, channelId: general, maxUses: null, maxAgeSeconds: null });
    const members: TestClient[] = [];
    for (const userId of others) {
      const member = await connect(userId, 1);
      await member.accepted('JoinGuild', { code: invite.data['code'] });
      members.push(member);
    }
    return { owner, guildId, general, code: invite.data['code'] as string, members };
  }

  const messageAt = (client: TestClient, cursor: number) => client.frames.find((f) => f.op === 'event' && f['cursor'] === cursor);
  /** The last live event both clients share, so "not delivered" is checked after the same point in the stream. */
  async function fence(owner: TestClient, witness: TestClient, guildId: string, channelId: string): Promise<Frame> {
    const posted = await owner.accepted('PostMessage', { guildId, channelId, content: 'fence' });
    return witness.waitFor((f) => f.op === 'event' && f['cursor'] === posted.cursor, 2000, 'fence at witness');
  }

  it('stops delivering to a kicked member at once, tells them, and keeps serving the others', async () => {
    const { owner, guildId, general, members } = await guildWith('bob-k', 'carol-k');
    const [bob, carol] = members as [TestClient, TestClient];
    await owner.accepted('KickMember', { guildId, userId: 'bob-k' });
    await bob.waitFor((f) => f.op === 'event' && f['type'] === 'MemberKicked', 2000, 'the kick itself');
    expect(await bob.waitFor((f) => f.op === 'unsubscribed', 2000)).toMatchObject({ guildId, reason: 'kicked' });

    const after = await owner.accepted('PostMessage', { guildId, channelId: general, content: 'bob is gone' });
    await carol.waitFor((f) => f.op === 'event' && f['cursor'] === after.cursor, 2000, 'carol still served');
    await fence(owner, carol, guildId, general);
    expect(messageAt(bob, after.cursor)).toBeUndefined();
    expect(bob.frames.filter((f) => f['type'] === 'MemberKicked')).toHaveLength(1);

    bob.send({ op: 'subscribe', guildId });
    expect(await bob.waitFor((f) => f.op === 'error' && f['code'] === 'subscribe.forbidden')).toBeDefined();
    const post = await bob.command('PostMessage', { guildId, channelId: general, content: 'let me back' });
    expect(post).toMatchObject({ status: 'rejected', code: 'guild.not_member' });
  });

  it('stops delivering to a banned member and keeps them out', async () => {
    const { owner, guildId, general, code, members } = await guildWith('bob-b', 'carol-b');
    const [bob, carol] = members as [TestClient, TestClient];
    await owner.accepted('BanMember', { guildId, userId: 'bob-b', reason: 'spam' });
    expect(await bob.waitFor((f) => f.op === 'unsubscribed', 2000)).toMatchObject({ guildId, reason: 'banned' });
    const after = await fence(owner, carol, guildId, general);
    expect(messageAt(bob, after['cursor'] as number)).toBeUndefined();
    expect(await bob.command('JoinGuild', { code })).toMatchObject({ status: 'rejected', code: 'guild.banned' });
  });

  it('hides a channel from those an overwrite denies, and shows it to those a role allows', async () => {
    const { owner, guildId, general, members } = await guildWith('bob-h', 'carol-h');
    const [bob, carol] = members as [TestClient, TestClient];
    const secret = (await owner.accepted('CreateChannel', { guildId, name: 'secret', categoryId: null })).data['channelId'] as string;
    const role = (await owner.accepted('CreateRole', { guildId, name: 'insiders', permissions: 0 })).data['roleId'] as string;
    await owner.accepted('AssignRole', { guildId, roleId: role, userId: 'carol-h' });
    await owner.accepted('SetChannelOverwrite', { guildId, channelId: secret, targetType: 'role', targetId: role, allow: PERMISSIONS.viewChannel, deny: 0 });
    await owner.accepted('SetChannelOverwrite', { guildId, channelId: secret, targetType: 'role', targetId: guildId, allow: 0, deny: PERMISSIONS.viewChannel });
    const hidden = await bob.waitFor((f) => f.op === 'channels' && !(f['visible'] as string[]).includes(secret), 2000, 'bob loses the channel');
    expect(hidden['visible']).toContain(general);

    const inside = await owner.accepted('PostMessage', { guildId, channelId: secret, content: 'insiders only' });
    await carol.waitFor((f) => f.op === 'event' && f['cursor'] === inside.cursor, 2000, 'carol sees the secret channel');
    await fence(owner, bob, guildId, general);
    expect(messageAt(bob, inside.cursor)).toBeUndefined();
    expect(await bob.command('PostMessage', { guildId, channelId: secret, content: 'peek' })).toMatchObject({ code: 'permission.viewChannel' });
  });

  it('shows typing to those who can view the channel, on every node, and never to others', async () => {
    const { owner, guildId, general, members } = await guildWith('bob-t', 'carol-t');
    const [bob, carol] = members as [TestClient, TestClient];
    const secret = (await owner.accepted('CreateChannel', { guildId, name: 'staff', categoryId: null })).data['channelId'] as string;
    await owner.accepted('SetChannelOverwrite', { guildId, channelId: secret, targetType: 'member', targetId: 'carol-t', allow: 0, deny: PERMISSIONS.viewChannel });
    await carol.waitFor((f) => f.op === 'channels' && !(f['visible'] as string[]).includes(secret), 2000, 'carol loses the staff channel');

    bob.send({ op: 'typing', guildId, channelId: general });
    const seen = await owner.waitFor((f) => f.op === 'typing' && f['userId'] === 'bob-t', 2000, 'bob typing at alice (other node)');
    expect(seen).toMatchObject({ guildId, channelId: general });
    expect(seen['until'] as number).toBeGreaterThan(Date.now());
    await carol.waitFor((f) => f.op === 'typing' && f['userId'] === 'bob-t', 2000, 'bob typing at carol');

    bob.send({ op: 'typing', guildId, channelId: secret });
    await owner.waitFor((f) => f.op === 'typing' && f['channelId'] === secret, 2000, 'typing in the staff channel at alice');
    await fence(owner, carol, guildId, general);
    expect(carol.frames.filter((f) => f.op === 'typing' && f['channelId'] === secret)).toEqual([]);

    carol.send({ op: 'typing', guildId, channelId: secret });
    expect(await carol.waitFor((f) => f.op === 'error' && f['code'] === 'typing.forbidden', 2000)).toBeDefined();
    carol.send({ op: 'typing', guildId: 'x.>', channelId: general });
    expect(await carol.waitFor((f) => f.op === 'error' && f['code'] === 'typing.invalid', 2000)).toBeDefined();
  });

  it('shows presence to those who share a guild, across nodes, and offline once the last socket goes', async () => {
    const { owner, guildId, general, members } = await guildWith('bob-p');
    const [bob] = members as [TestClient];
    // A second session of the owner, on the other node, sees both users online in its ready.
    const second = await connect('alice-bob-p', 1);
    expect(second.frames.find((f) => f.op === 'ready')!['presence']).toMatchObject({ 'bob-p': 'online', 'alice-bob-p': 'online' });

    bob.send({ op: 'presence', status: 'idle' });
    expect(await owner.waitFor((f) => f.op === 'presence' && f['userId'] === 'bob-p' && f['status'] === 'idle', 2000, 'idle')).toMatchObject({ guildId });
    bob.send({ op: 'presence', status: 'away' });
    expect(await bob.waitFor((f) => f.op === 'error' && f['code'] === 'presence.invalid', 2000)).toBeDefined();

    await bob.close();
    const offline = await owner.waitFor((f) => f.op === 'presence' && f['userId'] === 'bob-p' && f['status'] === 'offline', 2000, 'offline');
    expect(offline['until']).toBeGreaterThan(Date.now());
    // Closing one of the owner's two sessions leaves her online.
    await second.close();
    await fence(owner, owner, guildId, general);
    expect(owner.frames.filter((f) => f.op === 'presence' && f['userId'] === 'alice-bob-p' && f['status'] === 'offline')).toEqual([]);
  });

  it('drops everyone when the guild is deleted', async () => {
    const { owner, guildId, members } = await guildWith('bob-d');
    await owner.accepted('DeleteGuild', { guildId });
    for (const client of [owner, members[0]!]) {
      expect(await client.waitFor((f) => f.op === 'unsubscribed', 2000)).toMatchObject({ guildId, reason: 'deleted' });
    }
  });
});
