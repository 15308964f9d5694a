import { jetstreamManager } from '@nats-io/jetstream';
import { connectNats, type NatsConnection } from '@parley/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiGet, eventually, isolatedEnv, startSystem, TestClient, type Frame, type TestEnv, type TestSystem } from '@parley/testing';
import { DEFAULT_LIMITS } from './app.ts';

// Promise 7: bad input never hurts anyone else. Mallory sends everything a
// broken or hostile client can; each frame gets an error frame (or a
// rejected outcome, or a close code) with a machine-readable code, nothing
// reaches the event log, and Alice and Bob on the same node carry on.
const CODE = /^[a-z_]+\.[a-z_]+$/;

describe('bad frames at the gateway', () => {
  let env: TestEnv;
  let system: TestSystem;
  let nc: NatsConnection;
  let aliceToken: string;
  let malloryToken: string;
  let alice: TestClient;
  let bob: TestClient;
  let guildId: string;
  let channelId: string;
  let malloryGuild: string;
  let malloryChannel: string;
  let eventsBefore: number;
  const clients: TestClient[] = [];

  const connect = async (token: string) => {
    const client = await TestClient.connect(system.wsUrl(0), token);
    clients.push(client);
    await client.waitFor((f) => f.op === 'ready', 15_000, 'ready');
    return client;
  };
  const eventCount = async () => Number((await (await jetstreamManager(nc)).streams.info(env.names.eventStream)).state.messages);

  /** Sends one raw frame and resolves with the next frame the socket gets. */
  const reply = async (client: TestClient, frame: unknown): Promise<Frame> => {
    const mark = client.frames.length;
    if (Buffer.isBuffer(frame)) client.socket.send(frame, { binary: true });
    else client.send(frame);
    return client.waitFor((f) => client.frames.indexOf(f) >= mark, 2000, `reply to ${String(frame).slice(0, 60)}`);
  };
  const expectError = async (client: TestClient, frame: unknown, code: string, id?: string) => {
    const answer = await reply(client, frame);
    expect(answer, JSON.stringify(frame).slice(0, 120)).toMatchObject({ op: 'error', code, message: expect.any(String) });
    expect(answer['code']).toMatch(CODE);
    expect(answer['id']).toBe(id);
  };
  const command = (id: string, type: unknown, data: unknown) => ({ op: 'command', id, type, data });
  /** The socket is open and answers a ping (after whatever else is still on its way to it). */
  const expectStillServed = async (client: TestClient) => {
    expect(client.closed).toBeNull();
    const mark = client.frames.length;
    client.send({ op: 'heartbeat' });
    await client.waitFor((f) => f.op === 'heartbeat_ack' && client.frames.indexOf(f) >= mark, 2000, 'heartbeat_ack');
  };

  beforeAll(async () => {
    env = await isolatedEnv();
    system = await startSystem(env);
    nc = await connectNats(env.natsUrl, 'gateway-frames-spec');
    aliceToken = await env.token('alice');
    malloryToken = await env.token('mallory');
    alice = await connect(aliceToken);
    bob = await connect(await env.token('bob'));
    const guild = await alice.accepted('CreateGuild', { name: 'home' });
    guildId = guild.data['guildId'] as string;
    channelId = guild.data['channelId'] as string;
    const invite = await alice.accepted('CreateInvite', { guildId, channelId, maxUses: null, maxAgeSeconds: null });
    await bob.accepted('JoinGuild', { code: invite.data['code'] });
    const own = await (await connect(malloryToken)).accepted('CreateGuild', { name: 'lair' });
    malloryGuild = own.data['guildId'] as string;
    malloryChannel = own.data['channelId'] as string;
    eventsBefore = await eventCount();
  });

  afterAll(async () => {
    for (const client of clients) await client.close();
    await nc?.close();
    await system?.stop();
    await env?.cleanup();
  });

  it('answers frames that are not protocol objects with error frames', async () => {
    const mallory = await connect(malloryToken);
    await expectError(mallory, '{"op":', 'frame.invalid_json');
    await expectError(mallory, '{"op":"command","data":{"maxUses":NaN}}', 'frame.invalid_json');
    await expectError(mallory, '', 'frame.invalid_json');
    await expectError(mallory, '[{"op":"ping"}]', 'frame.not_object');
    await expectError(mallory, '42', 'frame.not_object');
    await expectError(mallory, 'null', 'frame.not_object');
    await expectError(mallory, '"ping"', 'frame.not_object');
    await expectError(mallory, `${'['.repeat(20_000)}${']'.repeat(20_000)}`, 'frame.not_object');
    await expectError(mallory, { op: 'dance' }, 'frame.unknown_op');
    await expectError(mallory, { op: 'toString' }, 'frame.unknown_op');
    await expectError(mallory, {}, 'frame.unknown_op');
    await expectError(mallory, { type: 'PostMessage' }, 'frame.unknown_op');
    await expectError(mallory, { op: 'heartbeat', extra: true }, 'frame.unknown_field');
    await expectError(mallory, { op: 'subscribe', guildId, as: 'alice' }, 'frame.unknown_field');
    await expectError(mallory, '{"op":"ping","__proto__":{"admin":true}}', 'frame.forbidden_key');
    await expectError(mallory, '{"__proto__":{"op":"ping"}}', 'frame.forbidden_key');
    await expectError(mallory, { op: 'heartbeat', constructor: 1 }, 'frame.forbidden_key');
    await expectError(mallory, Buffer.from('{"op":"ping"}'), 'frame.binary');
    await expectStillServed(mallory);
  });

  it('refuses commands with bad ids, unknown types and bad data before they reach the log', async () => {
    const mallory = await connect(malloryToken);
    for (const id of ['short', '', 'abcdefgh.x', 'abcdefgh*', 'abcdefgh>', 'abc def gh', 'abcdefgh\r\n', 'x'.repeat(65), 12345678, null]) {
      await expectError(mallory, command(id as string, 'PostMessage', { guildId, channelId, content: 'hi' }), 'command.invalid_id');
    }
    await expectError(mallory, { op: 'command', type: 'PostMessage', data: {} }, 'command.invalid_id');
    await expectError(mallory, command('cmd-type-1', 'DropAllTables', {}), 'command.unknown_type', 'cmd-type-1');
    await expectError(mallory, command('cmd-type-2', 7, {}), 'command.invalid_type', 'cmd-type-2');
    const post = (data: Record<string, unknown>) => ({ guildId: malloryGuild, channelId: malloryChannel, content: 'hi', ...data });
    const cases: [id: string, type: string, data: unknown, code: string][] = [
      ['cmd-data-01', 'PostMessage', post({ content: 'x'.repeat(5000) }), 'input.too_long'],
      ['cmd-data-02', 'PostMessage', post({ content: 42 }), 'input.not_string'],
      ['cmd-data-03', 'PostMessage', post({ content: '   ' }), 'input.empty'],
      ['cmd-data-04', 'PostMessage', post({ content: 'bell\u0007' }), 'input.bad_characters'],
      ['cmd-data-05', 'PostMessage', post({ channelId: `${malloryChannel}.*` }), 'input.invalid_id'],
      ['cmd-data-06', 'PostMessage', post({ guildId: '>' }), 'input.invalid_id'],
      ['cmd-data-07', 'PostMessage', post({ guildId: 17 }), 'input.invalid_id'],
      ['cmd-data-08', 'PostMessage', post({ nonce: 'a.b' }), 'input.invalid'],
      ['cmd-data-09', 'PostMessage', post({ authorId: 'alice' }), 'input.unknown_field'],
      ['cmd-data-10', 'PostMessage', [post({})], 'input.not_object'],
      ['cmd-data-11', 'PostMessage', null, 'input.not_object'],
      ['cmd-data-12', 'CreateInvite', { guildId: malloryGuild, channelId: malloryChannel, maxUses: -1 }, 'input.out_of_range'],
      ['cmd-data-13', 'CreateInvite', { guildId: malloryGuild, channelId: malloryChannel, maxUses: 1e300 }, 'input.out_of_range'],
      ['cmd-data-14', 'CreateInvite', { guildId: malloryGuild, channelId: malloryChannel, maxAgeSeconds: 1.5 }, 'input.out_of_range'],
      ['cmd-data-15', 'CreateInvite', { guildId: malloryGuild, channelId: malloryChannel, maxUses: '5' }, 'input.out_of_range'],
      ['cmd-data-16', 'CreateGuild', { name: 'a'.repeat(101) }, 'input.too_long'],
      ['cmd-data-17', 'CreateGuild', { name: 'evil\u202Eeman' }, 'input.bad_characters'],
      ['cmd-data-18', 'JoinGuild', { code: '../../x' }, 'input.invalid'],
    ];
    for (const [id, type, data, code] of cases) await expectError(mallory, command(id, type, data), code, id);
    // Values JSON.stringify cannot produce, written by hand: NaN is not JSON, 1e400 parses to Infinity.
    await expectError(mallory, `{"op":"command","id":"cmd-data-19","type":"CreateInvite","data":{"guildId":"${malloryGuild}","channelId":"${malloryChannel}","maxUses":NaN}}`, 'frame.invalid_json');
    await expectError(mallory, `{"op":"command","id":"cmd-data-20","type":"CreateInvite","data":{"guildId":"${malloryGuild}","channelId":"${malloryChannel}","maxUses":1e400}}`, 'input.out_of_range', 'cmd-data-20');
    await expectError(mallory, `{"op":"command","id":"cmd-data-21","type":"PostMessage","data":{"__proto__":{"content":"x"},"guildId":"${malloryGuild}"}}`, 'input.forbidden_key', 'cmd-data-21');
    await expectStillServed(mallory);
    expect(await eventCount()).toBe(eventsBefore);
  });

  it('rejects reaching into another guild with outcomes and error frames, and delivers nothing from it', async () => {
    const mallory = await connect(malloryToken);
    await expectError(mallory, { op: 'subscribe', guildId }, 'subscribe.forbidden');
    await expectError(mallory, { op: 'subscribe', guildId: 'no-such-guild' }, 'subscribe.forbidden');
    for (const bad of ['*', '>', `${guildId}.>`, 'a b', '', 'x'.repeat(65), 42, null]) {
      await expectError(mallory, { op: 'subscribe', guildId: bad }, 'subscribe.invalid_guild');
    }
    const foreign = await mallory.command('PostMessage', { guildId: malloryGuild, channelId, content: 'smuggled' });
    expect(foreign).toMatchObject({ op: 'outcome', status: 'rejected', statusCode: 404, code: 'channel.not_found' });
    const intrusion = await mallory.command('PostMessage', { guildId, channelId, content: 'intrusion' });
    expect(intrusion).toMatchObject({ op: 'outcome', status: 'rejected', statusCode: 403, code: 'guild.not_member' });
    const noGuild = await mallory.command('PostMessage', { guildId: 'no-such-guild', channelId, content: 'x' });
    expect(noGuild).toMatchObject({ op: 'outcome', status: 'rejected', statusCode: 404, code: 'guild.not_found' });
    const badInvite = await mallory.command('JoinGuild', { code: 'NoSuchCode1' });
    expect(badInvite).toMatchObject({ op: 'outcome', status: 'rejected', statusCode: 404, code: 'invite.not_found' });
    for (const outcome of [foreign, intrusion, noGuild, badInvite]) expect(outcome['code']).toMatch(CODE);
    expect(await eventCount()).toBe(eventsBefore);
    const live = await alice.accepted('PostMessage', { guildId, channelId, content: 'members only' });
    await bob.waitFor((f) => f.op === 'event' && f['cursor'] === live.cursor, 2000, 'the message at bob');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(mallory.frames.filter((f) => f.op === 'event')).toEqual([]);
    const history = await eventually(async () => {
      const res = await apiGet(system.apiUrl, `/v1/channels/${channelId}/messages`, aliceToken);
      return res.body.cursor >= live.cursor ? res.body.data : undefined;
    }, 5000, 'history');
    expect(history.map((m: { content: string }) => m.content)).toEqual(['members only']);
    const own = await eventually(async () => {
      const res = await apiGet(system.apiUrl, `/v1/channels/${malloryChannel}/messages`, malloryToken);
      return res.status === 200 ? res.body.data : undefined;
    }, 5000, "mallory's own channel");
    expect(own).toEqual([]);
    eventsBefore += 1;
  });

  it('closes the socket with 1009 for a frame over the size limit', async () => {
    const mallory = await connect(malloryToken);
    mallory.send(JSON.stringify({ op: 'heartbeat', pad: 'x'.repeat(DEFAULT_LIMITS.maxFrameBytes) }));
    await eventually(async () => mallory.closed ?? undefined, 2000, 'close');
    expect(mallory.closed).toMatchObject({ code: 1009, reason: expect.stringMatching(/too large/) });
    expect(mallory.frames.filter((f) => f.op === 'error' || f.op === 'heartbeat_ack')).toEqual([]);
    // At exactly the limit the frame is read (and refused for what it says, not its size).
    const exact = await connect(malloryToken);
    await expectError(exact, 'x'.repeat(DEFAULT_LIMITS.maxFrameBytes), 'frame.invalid_json');
    await expectStillServed(exact);
  });

  it('drops a socket that sends invalid UTF-8 as text, and only that socket', async () => {
    const mallory = await connect(malloryToken);
    mallory.socket.send(Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), { binary: false });
    await eventually(async () => mallory.closed ?? undefined, 2000, 'close');
    // uWS validates UTF-8 before any handler runs and cuts the connection (1006); RFC 6455 would say 1007.
    expect([1006, 1007]).toContain(mallory.closed!.code);
    await expectStillServed(alice);
  });

  it('rate-limits a burst of commands with error frames carrying retryAfterMs, and keeps the connection open', async () => {
    // A user of their own: the per-user command budget is shared by that user's sockets on the node.
    const flooder = await connect(await env.token('mallory-commands'));
    const ids = Array.from({ length: 60 }, (_, i) => `flood-${String(i).padStart(4, '0')}`);
    for (const id of ids) flooder.send(command(id, 'PostMessage', { guildId, channelId, content: `flood ${id}` }));
    const answers = await Promise.all(ids.map((id) => flooder.waitFor((f) => f['id'] === id && (f.op === 'error' || f.op === 'outcome'), 10_000, id)));
    const limited = answers.filter((f) => f.op === 'error');
    expect(limited.length).toBeGreaterThan(0);
    expect(limited.length).toBeLessThanOrEqual(60 - DEFAULT_LIMITS.commandBurst);
    for (const f of limited) expect(f).toMatchObject({ code: 'rate.limited', retryAfterMs: expect.any(Number) });
    for (const f of limited) expect(f['retryAfterMs']).toBeGreaterThan(0);
    for (const f of answers.filter((a) => a.op === 'outcome')) expect(f).toMatchObject({ status: 'rejected', code: 'guild.not_member' });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await expectStillServed(flooder);
    expect(await eventCount()).toBe(eventsBefore);
  });

  it('shares one command budget between all sockets of a user on a node', async () => {
    const token = await env.token('mallory-two-sockets');
    const [one, two] = [await connect(token), await connect(token)];
    const sent = (client: TestClient, prefix: string) => Array.from({ length: 30 }, (_, i) => `${prefix}-${String(i).padStart(4, '0')}`);
    const ids = [...sent(one, 'one'), ...sent(two, 'two')];
    for (const id of ids) (id.startsWith('one') ? one : two).send(command(id, 'PostMessage', { guildId, channelId, content: id }));
    const answers = await Promise.all(ids.map((id) => (id.startsWith('one') ? one : two).waitFor((f) => f['id'] === id && (f.op === 'error' || f.op === 'outcome'), 10_000, id)));
    // Each socket alone is within its own burst; together they pass the user's.
    expect(answers.filter((f) => f.op === 'error' && f['code'] === 'rate.limited').length).toBeGreaterThanOrEqual(60 - DEFAULT_LIMITS.commandBurst - 2);
  });

  it('closes a socket flooding 10k subscribe frames with 4009, without delaying anyone else', async () => {
    const flooder = await connect(await env.token('mallory-subscribes'));
    for (let i = 0; i < 10_000; i++) flooder.send({ op: 'subscribe', guildId: `guild-${i}` });
    const started = Date.now();
    const late = await connect(await env.token('carol'));
    expect(Date.now() - started).toBeLessThan(600);
    await eventually(async () => flooder.closed ?? undefined, 5000, 'flooder closed');
    expect(flooder.closed?.code).toBe(4009);
    // Answers before the close: no more than the frame burst let through, plus a rate-limit error a second.
    const errors = flooder.frames.filter((f) => f.op === 'error');
    expect(errors.every((f) => f['code'] === 'rate.limited' || f['code'] === 'subscribe.forbidden')).toBe(true);
    expect(errors.length).toBeLessThanOrEqual(DEFAULT_LIMITS.frameBurst + 3);
    await expectStillServed(late);
    await expectStillServed(alice);
  });

  it('answers a flood of heartbeats up to the frame limit, drops the rest with one error a second, and stays open', async () => {
    const flooder = await connect(await env.token('mallory-heartbeats'));
    const mark = flooder.frames.length;
    for (let i = 0; i < 500; i++) flooder.send({ op: 'heartbeat' });
    await eventually(async () => (flooder.frames.some((f) => f.op === 'error' && flooder.frames.indexOf(f) >= mark) ? true : undefined), 2000, 'rate-limit error');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const after = flooder.frames.slice(mark);
    const acks = after.filter((f) => f.op === 'heartbeat_ack').length;
    expect(acks).toBeGreaterThanOrEqual(DEFAULT_LIMITS.frameBurst - 1);
    expect(acks).toBeLessThan(DEFAULT_LIMITS.frameBurst + 30);
    expect(after.filter((f) => f.op === 'error')).toEqual([expect.objectContaining({ code: 'rate.limited', retryAfterMs: expect.any(Number) })]);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await expectStillServed(flooder);
  });

  it('serves a well-behaved client on the same node promptly while another floods it', async () => {
    const flooder = await connect(await env.token('mallory-mixed'));
    const flood = () => {
      for (let i = 0; i < 500; i++) flooder.send(i % 5 === 0 ? '{"op":' : { op: 'heartbeat', n: i });
      for (let i = 0; i < 60; i++) flooder.send(command(`late-flood-${i}`, 'PostMessage', { guildId, channelId, content: 'x' }));
    };
    flood();
    const sentAt = Date.now();
    const posted = alice.command('PostMessage', { guildId, channelId, content: 'still here' });
    flood();
    flood();
    const outcome = await posted;
    expect(outcome).toMatchObject({ op: 'outcome', status: 'accepted' });
    const live = await bob.waitFor((f) => f.op === 'event' && f['cursor'] === outcome['cursor'], 1000, 'live message at bob');
    expect(Date.now() - sentAt).toBeLessThan(1000);
    expect(live).toMatchObject({ actorId: 'alice', data: { content: 'still here' } });
    // Past a thousand dropped frames the flooder is cut off; only Alice's message was written.
    await eventually(async () => flooder.closed ?? undefined, 5000, 'flooder closed');
    expect(flooder.closed?.code).toBe(4009);
    expect(await eventCount()).toBe(eventsBefore + 1);
    expect(flooder.frames.filter((f) => f.op === 'event')).toEqual([]);
  });
});
