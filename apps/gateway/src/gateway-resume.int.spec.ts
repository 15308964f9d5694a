import { apiGet, eventually, TestClient, useSystem, type Frame } from '@parley/testing';
import { describe, expect, it } from 'vitest';

// Promise 3 (gap-free resume from any cursor, on any node) and promise 4
// (state and stream line up), with real clients on two gateway nodes.
// "Exactly the missed events" is checked against a witness that stayed
// connected the whole time: same guild, same permissions.
const FAST = { commandsPerSecond: 100_000, commandBurst: 100_000, framesPerSecond: 100_000, frameBurst: 100_000 };

describe('resume and replay', () => {
  const harness = useSystem({ gateways: 2, limits: FAST });
  const { connect } = harness;
  const token = (userId: string) => harness.env.token(userId);

  /** alice owns a guild on node 0; each other user joins it on node 0 too. */
  async function guildWith(prefix: string, ...others: string[]) {
    const alice = await connect(`${prefix}-alice`, 0);
    const guild = await alice.accepted('CreateGuild', { name: prefix });
    const guildId = guild.data['guildId'] as string;
    const channelId = guild.data['channelId'] as string;
    const invite = await alice.accepted('CreateInvite', { guildId, channelId, maxUses: null, maxAgeSeconds: null });
    const members: TestClient[] = [];
    for (const userId of others) {
      const member = await connect(`${prefix}-${userId}`, 0);
      await member.accepted('JoinGuild', { code: invite.data['code'] });
      members.push(member);
    }
    return { alice, guildId, channelId, code: invite.data['code'] as string, members };
  }

  /** Posts `count` messages at once (pipelined) and resolves with their cursors. */
  async function post(client: TestClient, guildId: string, channelId: string, count: number, label = 'm'): Promise<number[]> {
    const cursors: number[] = [];
    for (let start = 0; start < count; start += 250) {
      const batch = Array.from({ length: Math.min(250, count - start) }, (_, i) => client.command('PostMessage', { guildId, channelId, content: `${label} ${start + i}` }));
      for (const outcome of await Promise.all(batch)) {
        if (outcome['status'] !== 'accepted') throw new Error(`post refused: ${JSON.stringify(outcome)}`);
        cursors.push(outcome['cursor'] as number);
      }
    }
    return cursors;
  }

  const guildCursors = (client: TestClient, guildId: string) => client.events.filter((e) => e.guildId === guildId && !e.stream.startsWith('user:')).map((e) => e.cursor);
  const increasing = (cursors: number[]) => cursors.every((cursor, i) => i === 0 || cursor > cursors[i - 1]!);

  /** Waits until `client` has seen `cursor` in the guild. */
  const reach = (client: TestClient, cursor: number, timeoutMs = 10_000) =>
    client.waitFor((f) => f.op === 'event' && f['cursor'] === cursor, timeoutMs, `event ${cursor}`);

  it('resumes after a 1 s disconnect on another node with exactly the missed events, in order, then live', async () => {
    const { alice, guildId, channelId, members } = await guildWith('short', 'bob', 'carol');
    const [bob, carol] = members as [TestClient, TestClient];
    await reach(bob, (await post(alice, guildId, channelId, 3, 'before')).at(-1)!);
    const left = structuredClone(bob.state);
    await bob.close();

    const missed: number[] = [];
    for (let i = 0; i < 5; i++) {
      missed.push(...(await post(alice, guildId, channelId, 2, `away ${i}`)));
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    // Meanwhile Bob reads on another device: his own stream moves on too.
    const phone = await connect('short-bob', 1);
    const readIt = await alice.accepted('PostMessage', { guildId, channelId, content: 'read me' });
    missed.push(readIt.cursor);
    const marked = await phone.accepted('MarkRead', { guildId, channelId, messageId: readIt.data['messageId'] });
    const back = await TestClient.resume(harness.system.wsUrl(1), await token('short-bob'), left);
    expect(back.frames.find((f) => f.op === 'resumed')).toMatchObject({ session: left.session, replayed: 12 });
    expect(back.events.filter((e) => e.stream === 'user:short-bob').map((e) => e.cursor)).toEqual([marked.cursor]);
    const live = await post(alice, guildId, channelId, 3, 'after');
    await reach(back, live.at(-1)!);
    await reach(carol, live.at(-1)!);

    const got = guildCursors(back, guildId);
    expect(got).toEqual(guildCursors(carol, guildId).filter((cursor) => cursor > left.guilds[guildId]!));
    expect(got).toEqual([...missed, ...live]);
    expect(increasing(got)).toBe(true);
  });

  it('resumes after thousands of events on another node with every one of them, once', async () => {
    const { alice, guildId, channelId, members } = await guildWith('long', 'bob', 'carol');
    const [bob, carol] = members as [TestClient, TestClient];
    const left = structuredClone(bob.state);
    await bob.close();
    const missed = await post(alice, guildId, channelId, 2000, 'away');
    await reach(carol, missed.at(-1)!, 30_000);

    const back = await TestClient.resume(harness.system.wsUrl(1), await token('long-bob'), left);
    expect(back.frames.find((f) => f.op === 'resumed')).toMatchObject({ replayed: 2000 });
    const live = await post(alice, guildId, channelId, 2, 'after');
    await reach(back, live.at(-1)!);
    const got = guildCursors(back, guildId);
    expect(got).toEqual([...missed, ...live]);
    expect(got).toEqual(guildCursors(carol, guildId).filter((cursor) => cursor > left.guilds[guildId]!));
  });

  it('lines the ready snapshot up with the stream: a client joining mid-traffic ends with the view of one replaying from zero', async () => {
    const { alice, guildId, channelId, members } = await guildWith('snap', 'dave', 'erin');
    const [, erin] = members as [TestClient, TestClient];
    const erinState = structuredClone(erin.state);
    await erin.close();
    // Posts and a new channel in flight while Dave's session starts.
    const traffic = Promise.all([post(alice, guildId, channelId, 150, 'a'), alice.accepted('CreateChannel', { guildId, name: 'late', categoryId: null }), post(alice, guildId, channelId, 150, 'b')]);
    await new Promise((resolve) => setTimeout(resolve, 30));
    const dave = await TestClient.connect(harness.system.wsUrl(1), await token('snap-dave'));
    const ready = dave.frames.find((f) => f.op === 'ready')!;
    const cursor = ready['cursor'] as number;
    const history = await apiGet(harness.system.apiUrl, `/v1/channels/${channelId}/messages?limit=100`, await token('snap-dave'));
    expect(history.status).toBe(200);
    const [a, , b] = await traffic;
    const last = Math.max(...a!, ...b!);
    await reach(dave, last);

    // Dave: the snapshot, then every event after its cursor. Erin: everything from cursor 0.
    const fromZero = await TestClient.resume(harness.system.wsUrl(0), await token('snap-erin'), { ...erinState, guilds: { [guildId]: 0 } });
    await reach(fromZero, last);
    const viewOf = (guild: Frame | undefined, events: TestClient['events']) => {
      const channels = new Set<string>((guild?.['channels'] as string[] | undefined) ?? []);
      const messages: string[] = [];
      for (const event of events) {
        if (event.guildId !== guildId) continue;
        if (event.type === 'GuildCreated' || event.type === 'ChannelCreated') channels.add(event.data['channelId'] as string);
        if (event.type === 'MessagePosted') messages.push(event.data['messageId'] as string);
      }
      return { channels: [...channels].sort(), messages };
    };
    const snapshotGuild = (ready['guilds'] as Frame[]).find((g) => g['id'] === guildId);
    const daveView = viewOf(snapshotGuild, dave.events.filter((e) => e.cursor > cursor));
    const zeroView = viewOf(undefined, fromZero.events);
    expect(daveView.channels).toEqual(zeroView.channels);
    // Messages: the HTTP page (at its own cursor) plus the events after it give the same list as the replay.
    const page = history.body as { cursor: number; data: { id: string }[] };
    const fromPage = [...page.data.map((m) => m.id).reverse(), ...dave.events.filter((e) => e.cursor > page.cursor && e.type === 'MessagePosted').map((e) => e.data['messageId'] as string)];
    expect(fromPage).toEqual(zeroView.messages.slice(-fromPage.length));
    expect(new Set(daveView.messages).size).toBe(daveView.messages.length);
    expect(zeroView.messages).toHaveLength(300);
  });

  it('subscribes every one of 40 users joining a guild at once on a node that did not watch it, before it has seen their joins live', async () => {
    const { alice, guildId, channelId, code } = await guildWith('crowd');
    const crowd = await Promise.all(Array.from({ length: 40 }, (_, i) => connect(`crowd-${i}`, 1)));
    // All at once: a node decides on a join it has not yet received live, and must wait for it, not refuse.
    await Promise.all(crowd.map((client) => client.accepted('JoinGuild', { code })));
    const posted = await alice.accepted('PostMessage', { guildId, channelId, content: 'welcome all' });
    await Promise.all(crowd.map((client) => reach(client, posted.cursor)));
    for (const client of crowd) expect(client.frames.filter((f) => f.op === 'error')).toEqual([]);
  });

  it('answers what it cannot resume explicitly: access lost, guilds not named, another user, another epoch, cursors past the log', async () => {
    const { alice, guildId, channelId, members } = await guildWith('edge', 'frank');
    const [frank] = members as [TestClient];
    const left = structuredClone(frank.state);
    await frank.close();
    await alice.accepted('KickMember', { guildId, userId: 'edge-frank' });
    const other = await guildWith('edge2');
    const frankElsewhere = await connect('edge-frank', 1);
    await frankElsewhere.accepted('JoinGuild', { code: (await other.alice.accepted('CreateInvite', { guildId: other.guildId, channelId: other.channelId, maxUses: null, maxAgeSeconds: null })).data['code'] });
    await post(alice, guildId, channelId, 2);

    const back = await TestClient.resume(harness.system.wsUrl(1), await token('edge-frank'), left);
    expect(back.frames.find((f) => f.op === 'unsubscribed')).toMatchObject({ guildId, reason: 'access_lost' });
    expect(back.frames.find((f) => f.op === 'resync')).toMatchObject({ guildId: other.guildId, reason: 'not_named' });
    expect(back.frames.find((f) => f.op === 'resumed')).toBeTruthy();
    // Nothing of the guild Frank was kicked from after the kick.
    const kick = alice.events.find((e) => e.type === 'MemberKicked')!.cursor;
    expect(back.events.filter((e) => e.guildId === guildId && e.cursor > kick)).toEqual([]);

    const invalid = async (state: typeof left, userId = 'edge-frank') => {
      const client = await TestClient.resume(harness.system.wsUrl(0), await token(userId), state);
      const answer = client.frames.find((f) => f.op === 'invalid_session');
      // An invalid session leaves the socket open to identify.
      client.send({ op: 'identify' });
      await client.waitFor((f) => f.op === 'ready', 5000, 'ready after invalid_session');
      await client.close();
      return answer;
    };
    expect(await invalid(left, 'edge-alice')).toMatchObject({ reason: 'another_user' });
    expect(await invalid({ ...left, epoch: '2001-01-01T00:00:00Z' })).toMatchObject({ reason: 'epoch' });
    expect(await invalid({ ...left, user: Number.MAX_SAFE_INTEGER })).toMatchObject({ reason: 'unknown_cursor' });
  });

  it('answers a subscribe with a cursor by replaying what was missed, and serves a channel replay between two cursors', async () => {
    const { alice, guildId, channelId, members } = await guildWith('sub', 'gina');
    const [gina] = members as [TestClient];
    const cursors = await post(alice, guildId, channelId, 5);
    await reach(gina, cursors.at(-1)!);
    gina.send({ op: 'unsubscribe', guildId });
    await gina.waitFor((f) => f.op === 'unsubscribed' && f['reason'] === 'requested', 2000, 'unsubscribed');
    const missed = await post(alice, guildId, channelId, 4);
    const mark = gina.frames.length;
    gina.send({ op: 'subscribe', guildId, after: cursors.at(-1) });
    await gina.waitFor((f) => f.op === 'subscribed' && gina.frames.indexOf(f) >= mark, 5000, 'subscribed');
    expect(gina.frames.slice(mark).filter((f) => f.op === 'event').map((f) => f['cursor'])).toEqual(missed);

    gina.send({ op: 'replay', id: 'replay-0001', guildId, channelId, after: cursors[0]!, until: missed[1] });
    const page = await gina.waitFor((f) => f.op === 'replayed' && f['id'] === 'replay-0001', 5000, 'replayed');
    expect((page['events'] as Frame[]).map((e) => e['cursor'])).toEqual([...cursors.slice(1), missed[0], missed[1]]);
    expect(page['next']).toBeNull();

    // Another guild's channel, or a guild not subscribed: refused, nothing read.
    const other = await guildWith('sub-other');
    gina.send({ op: 'replay', id: 'replay-0002', guildId: other.guildId, channelId: other.channelId, after: 0 });
    expect(await gina.waitFor((f) => f['id'] === 'replay-0002', 5000, 'answer')).toMatchObject({ op: 'error', code: 'replay.forbidden' });
    gina.send({ op: 'replay', id: 'replay-0003', guildId, channelId: other.channelId, after: 0 });
    expect(await gina.waitFor((f) => f['id'] === 'replay-0003', 5000, 'answer')).toMatchObject({ op: 'error', code: 'replay.forbidden' });
    gina.send({ op: 'subscribe', guildId: other.guildId, after: 0 });
    expect(await gina.waitFor((f) => f.op === 'error' && f['code'] === 'subscribe.forbidden', 5000, 'subscribe.forbidden')).toBeTruthy();
    expect(gina.events.filter((e) => e.guildId === other.guildId)).toEqual([]);
  });
});


describe('resume past the replay limit', () => {
  const harness = useSystem({ gateways: 1, limits: { ...FAST, maxReplayEvents: 50 } });

  it('answers resync too_far, and the client recovers with an HTTP snapshot and a subscribe from its cursor', async () => {
    const alice = await harness.connect('far-alice');
    const guild = await alice.accepted('CreateGuild', { name: 'far' });
    const guildId = guild.data['guildId'] as string;
    const channelId = guild.data['channelId'] as string;
    const invite = await alice.accepted('CreateInvite', { guildId, channelId, maxUses: null, maxAgeSeconds: null });
    const bob = await harness.connect('far-bob');
    await bob.accepted('JoinGuild', { code: invite.data['code'] });
    const left = structuredClone(bob.state);
    await bob.close();
    const posted = await Promise.all(Array.from({ length: 60 }, (_, i) => alice.accepted('PostMessage', { guildId, channelId, content: `far ${i}` })));

    const back = await TestClient.resume(harness.system.wsUrl(0), await harness.env.token('far-bob'), left);
    expect(back.frames.find((f) => f.op === 'resync')).toMatchObject({ guildId, reason: 'too_far', message: expect.stringMatching(/refetch/) });
    expect(back.events.filter((e) => e.guildId === guildId)).toEqual([]);

    // Refetch: the page says which cursor it reflects; subscribing from it lines the stream up with it.
    const last = Math.max(...posted.map((p) => p.cursor));
    const snapshot = await eventually(async () => {
      const page = await apiGet(harness.system.apiUrl, `/v1/channels/${channelId}/messages?limit=100`, await harness.env.token('far-bob'));
      const body = page.body as { cursor: number; data: { id: string }[] };
      return body.cursor >= last ? body : undefined;
    }, 10_000, 'history at the last post');
    expect(snapshot.data.map((m) => m.id).sort()).toEqual(posted.map((p) => p.data['messageId'] as string).sort());
    back.send({ op: 'subscribe', guildId, after: snapshot.cursor });
    await back.waitFor((f) => f.op === 'subscribed' && f['guildId'] === guildId, 5000, 'subscribed');
    const live = await alice.accepted('PostMessage', { guildId, channelId, content: 'after the resync' });
    await back.waitFor((f) => f.op === 'event' && f['cursor'] === live.cursor, 5000, 'live after resync');
    expect(back.events.filter((e) => e.guildId === guildId && e.type === 'MessagePosted').every((e) => e.cursor > snapshot.cursor)).toBe(true);
  });
});
