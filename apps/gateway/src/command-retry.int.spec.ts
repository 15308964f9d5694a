import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connectNats, type NatsConnection } from '@parley/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiGet, eventually, isolatedEnv, startSystem, TestClient, type Frame, type TestEnv, type TestSystem } from '@parley/testing';

// Promise 1: no acknowledged command is lost, none applies twice. A command
// id names one decision: retrying it (same socket, another socket, another
// node, before or after the first answer) yields that same outcome and never
// a second set of events.
describe('command retries', () => {
  let env: TestEnv;
  let system: TestSystem;
  let nc: NatsConnection;
  let aliceToken: string;
  let bobToken: string;
  let alice: TestClient;
  let aliceOnNode2: TestClient;
  let bob: TestClient;
  let guildId: string;
  let channelId: string;
  const clients: TestClient[] = [];

  const newCommandId = () => `retry-${randomBytes(8).toString('hex')}`;
  const post = (content: string) => ({ guildId, channelId, content });
  const connect = async (node: number, token: string) => {
    const client = await TestClient.connect(system.wsUrl(node), token);
    clients.push(client);
    await client.waitFor((f) => f.op === 'ready', 15_000, 'ready');
    return client;
  };
  const eventCount = async () => Number((await (await jetstreamManager(nc)).streams.info(env.names.eventStream)).state.messages);
  /** The channel's history once the projection has caught up with `cursor`. */
  const historyAt = (cursor: number) =>
    eventually(async () => {
      const res = await apiGet(system.apiUrl, `/v1/channels/${channelId}/messages?limit=100`, aliceToken);
      return res.body.cursor >= cursor ? (res.body.data as { cursor: number; content: string }[]) : undefined;
    }, 5000, `history at ${cursor}`);
  const outcomesOf = (client: TestClient, id: string) => client.frames.filter((f) => f.op === 'outcome' && f['id'] === id);

  beforeAll(async () => {
    env = await isolatedEnv();
    system = await startSystem(env, { gateways: 2 });
    nc = await connectNats(env.natsUrl, 'command-retry-spec');
    [aliceToken, bobToken] = await Promise.all([env.token('alice'), env.token('bob')]);
    alice = await connect(0, aliceToken);
    bob = await connect(1, bobToken);
    const guild = await alice.accepted('CreateGuild', { name: 'retries' });
    guildId = guild.data['guildId'] as string;
    channelId = guild.data['channelId'] as string;
    const invite = await alice.accepted('CreateInvite', { guildId, channelId, maxUses: null, maxAgeSeconds: null });
    await bob.accepted('JoinGuild', { code: invite.data['code'] });
    // Alice's second session (another node) starts once the read model knows her guild, so its READY watches it.
    await eventually(async () => ((await apiGet(system.apiUrl, '/v1/guilds', aliceToken)).body.data?.length === 1 ? true : undefined));
    aliceOnNode2 = await connect(1, aliceToken);
  });

  afterAll(async () => {
    for (const client of clients) await client.close();
    await nc?.close();
    await system?.stop();
    await env?.cleanup();
  });

  it('answers a retry on the same socket with the same outcome and stores one message', async () => {
    const id = newCommandId();
    const before = await eventCount();
    const first = await alice.command('PostMessage', post('only once'), id);
    expect(first).toMatchObject({ op: 'outcome', status: 'accepted' });
    alice.send({ op: 'command', id, type: 'PostMessage', data: post('only once') });
    await eventually(async () => (outcomesOf(alice, id).length === 2 ? true : undefined), 5000, 'second outcome');
    const [a, b] = outcomesOf(alice, id);
    expect(b).toEqual(a);
    expect(await eventCount()).toBe(before + 1);
    const history = await historyAt(first['cursor'] as number);
    expect(history.filter((m) => m.content === 'only once')).toEqual([expect.objectContaining({ cursor: first['cursor'] })]);
  });

  it('answers a retry on another gateway node with the same cursor, without a second event', async () => {
    const id = newCommandId();
    const before = await eventCount();
    const first = await alice.command('PostMessage', post('across nodes'), id);
    const retried = await aliceOnNode2.command('PostMessage', post('across nodes'), id);
    expect(first['status']).toBe('accepted');
    expect(retried).toMatchObject({ op: 'outcome', id, status: 'accepted', cursor: first['cursor'] });
    expect(retried['event']).toEqual(first['event']);
    expect(await eventCount()).toBe(before + 1);
    const history = await historyAt(first['cursor'] as number);
    expect(history.filter((m) => m.content === 'across nodes')).toHaveLength(1);
  });

  it('gives concurrent attempts on two nodes one decision and both an answer', async () => {
    const id = newCommandId();
    const before = await eventCount();
    const frame = { op: 'command', id, type: 'PostMessage', data: post('racing') };
    alice.send(frame);
    aliceOnNode2.send(frame);
    const [one, two] = await Promise.all([
      alice.waitFor((f) => f.op === 'outcome' && f['id'] === id, 10_000, 'outcome on node 1'),
      aliceOnNode2.waitFor((f) => f.op === 'outcome' && f['id'] === id, 10_000, 'outcome on node 2'),
    ]);
    expect(one).toMatchObject({ status: 'accepted' });
    expect(two['cursor']).toBe(one['cursor']);
    expect(await eventCount()).toBe(before + 1);
    const history = await historyAt(one['cursor'] as number);
    expect(history.filter((m) => m.content === 'racing')).toHaveLength(1);
  });

  it('answers every socket that sends the same command id on one node', async () => {
    const second = await connect(0, aliceToken);
    const id = newCommandId();
    const frame = { op: 'command', id, type: 'PostMessage', data: post('two tabs') };
    alice.send(frame);
    second.send(frame);
    const [one, two] = await Promise.all([
      alice.waitFor((f) => f.op === 'outcome' && f['id'] === id, 5000, 'outcome on the first socket'),
      second.waitFor((f) => f.op === 'outcome' && f['id'] === id, 5000, 'outcome on the second socket'),
    ]);
    expect(two['cursor']).toBe(one['cursor']);
  });

  it('still answers a retry when the socket of the first attempt goes away meanwhile', async () => {
    // A client whose connection broke retries on a new socket while the old one is being torn down.
    const dying = await connect(0, aliceToken);
    const fresh = await connect(0, aliceToken);
    const id = newCommandId();
    const frame = { op: 'command', id, type: 'PostMessage', data: post('reconnected') };
    dying.send(frame);
    fresh.send(frame);
    dying.socket.terminate();
    const answer = await fresh.waitFor((f) => f.op === 'outcome' && f['id'] === id, 5000, 'outcome after the first socket died');
    expect(answer).toMatchObject({ status: 'accepted' });
    const history = await historyAt(answer['cursor'] as number);
    expect(history.filter((m) => m.content === 'reconnected')).toHaveLength(1);
  });

  it('keeps a rejection for its command id even after the reason is gone', async () => {
    const carolToken = await env.token('carol');
    const carol = await connect(1, carolToken);
    const id = newCommandId();
    const early = await carol.command('PostMessage', post('let me in'), id);
    expect(early).toMatchObject({ op: 'outcome', status: 'rejected', statusCode: 403, code: 'guild.not_member' });
    const invite = await alice.accepted('CreateInvite', { guildId, channelId, maxUses: 1, maxAgeSeconds: 600 });
    await carol.accepted('JoinGuild', { code: invite.data['code'] });
    // Same id: the same rejection, not a new decision against the new state.
    const onNode1 = await connect(0, carolToken);
    const retried = await onNode1.command('PostMessage', post('let me in'), id);
    expect(retried).toMatchObject({ op: 'outcome', id, status: 'rejected', code: 'guild.not_member' });
    // The id is the user's: another user's identical id is a different command.
    const sameIdByBob = await bob.command('PostMessage', post('bob here'), id);
    expect(sameIdByBob).toMatchObject({ status: 'accepted' });
  });

  it('gives an accepted message the same cursor in its outcome and in the live event members receive', async () => {
    const liveCount = (client: TestClient, cursor: unknown) =>
      client.frames.filter((f) => f.op === 'event' && f['cursor'] === cursor).length;
    const outcome = await alice.command('PostMessage', { ...post('seen by all'), nonce: 'n-42' });
    expect(outcome['status']).toBe('accepted');
    const cursor = outcome['cursor'] as number;
    expect((outcome['event'] as Frame)['cursor']).toBe(cursor);
    const live: Frame = await bob.waitFor((f) => f.op === 'event' && f['type'] === 'MessagePosted' && (f['data'] as Frame)['content'] === 'seen by all', 2000, 'live message at bob');
    expect(live).toMatchObject({ cursor, stream: `channel:${channelId}`, actorId: 'alice', data: { nonce: 'n-42' } });
    expect(live).toEqual({ op: 'event', ...(outcome['event'] as Record<string, unknown>) });
    // The author's other socket (another node) gets it live too, once.
    await aliceOnNode2.waitFor((f) => f.op === 'event' && f['cursor'] === cursor, 2000, 'live message on the second node');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(liveCount(bob, cursor)).toBe(1);
    expect(liveCount(aliceOnNode2, cursor)).toBe(1);
  });
});
