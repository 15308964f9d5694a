import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isolatedEnv, type TestEnv } from './isolated-env.ts';
import { startSystem, type TestSystem } from './system.ts';
import { apiGet, eventually, TestClient } from './ws-client.ts';

// The foundation's acceptance test: two users on two gateway nodes hold a
// conversation through the whole pipeline (gateway -> command log -> handler
// -> event log -> gateways and projector -> HTTP history).
describe('the whole pipeline', () => {
  let env: TestEnv;
  let system: TestSystem;
  let alice: TestClient;
  let bob: TestClient;
  let aliceToken: string;
  let bobToken: string;

  beforeAll(async () => {
    env = await isolatedEnv();
    system = await startSystem(env, { gateways: 2 });
    [aliceToken, bobToken] = await Promise.all([env.token('alice'), env.token('bob')]);
    alice = await TestClient.connect(system.wsUrl(0), aliceToken);
    bob = await TestClient.connect(system.wsUrl(1), bobToken);
    await Promise.all([alice.waitFor((f) => f.op === 'ready'), bob.waitFor((f) => f.op === 'ready')]);
  });

  afterAll(async () => {
    await alice?.close();
    await bob?.close();
    await system?.stop();
    await env?.cleanup();
  });

  it('carries a conversation between two nodes, live and into history, and survives a projector restart', async () => {
    expect(alice.frames[0]).toMatchObject({ op: 'hello', v: 2, node: 'gw1' });
    expect(alice.frames.find((f) => f.op === 'ready')).toMatchObject({ userId: 'alice' });
    expect(bob.frames[0]).toMatchObject({ op: 'hello', node: 'gw2' });
    expect(bob.frames.find((f) => f.op === 'ready')).toMatchObject({ userId: 'bob' });

    const guild = await alice.accepted('CreateGuild', { name: 'Rust Fans' });
    const guildId = guild.data['guildId'] as string;
    const general = guild.data['channelId'] as string;
    expect(guild.data).toMatchObject({ name: 'Rust Fans', ownerId: 'alice' });

    const channel = await alice.accepted('CreateChannel', { guildId, name: 'random' });
    const random = channel.data['channelId'] as string;
    const invite = await alice.accepted('CreateInvite', { guildId, channelId: general, maxUses: 5, maxAgeSeconds: 3600 });
    const code = invite.data['code'] as string;
    expect(code).toMatch(/^[A-Za-z0-9]{10}$/);

    // Bob cannot post before joining, and cannot subscribe to a guild he is not in.
    const early = await bob.command('PostMessage', { guildId, channelId: random, content: 'let me in' });
    expect(early).toMatchObject({ op: 'outcome', status: 'rejected', statusCode: 403, code: 'guild.not_member' });

    const joined = await bob.accepted('JoinGuild', { code });
    expect(joined.data).toMatchObject({ guildId, userId: 'bob' });
    // Alice, on the other node, sees Bob arrive.
    await alice.waitFor((f) => f.op === 'event' && f['type'] === 'MemberJoined', 2000, 'MemberJoined at alice');

    const posted = await alice.accepted('PostMessage', { guildId, channelId: random, content: 'hello bob', nonce: 'n-1' });
    const sentAt = Date.now();
    const live = await bob.waitFor((f) => f.op === 'event' && f['type'] === 'MessagePosted', 1000, 'live message at bob');
    expect(Date.now() - sentAt).toBeLessThan(1000);
    expect(live).toMatchObject({
      cursor: posted.cursor,
      prev: 0,
      stream: `channel:${random}`,
      guildId,
      actorId: 'alice',
      data: { content: 'hello bob', authorId: 'alice', channelId: random },
    });

    // A second message on the same channel names the first as its predecessor: gaps are detectable.
    const second = await bob.accepted('PostMessage', { guildId, channelId: random, content: 'hi alice' });
    const relayed = await alice.waitFor((f) => f.op === 'event' && f['cursor'] === second.cursor, 1000, 'second message at alice');
    expect(relayed['prev']).toBe(posted.cursor);

    const history = await eventually(async () => {
      const res = await apiGet(system.apiUrl, `/v1/channels/${random}/messages`, bobToken);
      return res.body.cursor >= second.cursor ? res : undefined;
    }, 5000, 'history to catch up');
    expect(history.status).toBe(200);
    expect(history.body.data.map((m: { content: string }) => m.content)).toEqual(['hi alice', 'hello bob']);
    expect(history.body.data[1]).toMatchObject({ cursor: posted.cursor, authorId: 'alice' });

    const guilds = await eventually(async () => {
      const res = await apiGet(system.apiUrl, '/v1/guilds', bobToken);
      return res.body.cursor >= joined.cursor ? res : undefined;
    }, 5000, 'guilds to catch up');
    expect(guilds.body.data).toEqual([{ id: guildId, name: 'Rust Fans', ownerId: 'alice', memberCount: 2 }]);
    const members = await apiGet(system.apiUrl, `/v1/guilds/${guildId}/members`, aliceToken);
    expect(members.body.data.map((m: { userId: string }) => m.userId)).toEqual(['alice', 'bob']);

    // Restart the projector while more messages arrive: nothing lost, nothing doubled.
    const during = system.restartProjector();
    const more = [];
    for (let i = 0; i < 20; i++) more.push(await alice.accepted('PostMessage', { guildId, channelId: random, content: `m${i}` }));
    await during;
    const last = more[more.length - 1]!.cursor;
    const page = await eventually(async () => {
      const res = await apiGet(system.apiUrl, `/v1/channels/${random}/messages?limit=100`, aliceToken);
      return res.body.cursor >= last ? res : undefined;
    }, 5000, 'history after restart');
    const contents: string[] = page.body.data.map((m: { content: string }) => m.content).reverse();
    expect(contents).toEqual(['hello bob', 'hi alice', ...more.map((_, i) => `m${i}`)]);
    const afterRestart = await apiGet(system.apiUrl, '/v1/guilds', aliceToken);
    expect(afterRestart.body.data[0].memberCount).toBe(2);
  });
});
