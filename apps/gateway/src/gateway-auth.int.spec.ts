import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { isolatedEnv, startSystem, TestClient, type Frame, type TestEnv, type TestSystem } from '@parley/testing';
import { CLOSE } from './protocol.ts';

// Authentication at the WebSocket edge (promises 6 and 7): the upgrade waits
// for the JWT check, a refused upgrade is an HTTP 401 and never a socket, and
// the user id a socket acts as comes only from the verified token.

type Attempt = { opened: false; status: number; body: string } | { opened: true; socket: WebSocket; frames: Frame[] };

/** Tries an upgrade with the raw `ws` client and reports either the HTTP refusal or the open socket. */
function attempt(url: string, headers: Record<string, string> = {}): Promise<Attempt> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers });
    const frames: Frame[] = [];
    socket.on('message', (data) => frames.push(JSON.parse(data.toString()) as Frame));
    socket.once('open', () => resolve({ opened: true, socket, frames }));
    socket.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ opened: false, status: res.statusCode ?? 0, body }));
    });
    socket.once('error', reject);
  });
}

function closeOf(socket: WebSocket): Promise<{ code: number; reason: string; at: number }> {
  return new Promise((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: reason.toString(), at: Date.now() })));
}

describe('gateway authentication', () => {
  let env: TestEnv;
  let system: TestSystem;
  let url: string;
  const open: WebSocket[] = [];

  beforeAll(async () => {
    env = await isolatedEnv();
    system = await startSystem(env, { limits: { identifyTimeoutMs: 1500 } });
    url = system.wsUrl(0);
  });

  afterAll(async () => {
    for (const socket of open) socket.terminate();
    await system?.stop();
    await env?.cleanup();
  });

  const expectRefused = async (result: Attempt) => {
    if (result.opened) {
      open.push(result.socket);
      throw new Error('the upgrade was accepted');
    }
    expect(result.status).toBe(401);
    expect(result.body).toMatch(/token/i);
  };

  it('opens a socket without a token only to wait for identify, and closes it with 4002 when none comes in time', async () => {
    const silent = await attempt(url);
    if (!silent.opened) throw new Error(`refused: ${silent.status}`);
    open.push(silent.socket);
    const closed = closeOf(silent.socket);
    await expect.poll(() => silent.frames[0], { timeout: 2000 }).toMatchObject({ op: 'hello', v: 2, heartbeatMs: expect.any(Number) });
    // Nothing but identify, resume and heartbeat is served before the socket has a user.
    silent.socket.send(JSON.stringify({ op: 'subscribe', guildId: 'g1' }));
    await expect.poll(() => silent.frames.find((f) => f.op === 'error'), { timeout: 2000 }).toMatchObject({ code: 'session.not_identified' });
    expect(await closed).toMatchObject({ code: CLOSE.notIdentified.code });
  });

  it('identifies with a token sent in the frame, and answers a bad one with invalid_session', async () => {
    const result = await attempt(url);
    if (!result.opened) throw new Error(`refused: ${result.status}`);
    open.push(result.socket);
    await expect.poll(() => result.frames[0]?.op, { timeout: 2000 }).toBe('hello');
    result.socket.send(JSON.stringify({ op: 'identify' }));
    await expect.poll(() => result.frames.find((f) => f.op === 'error'), { timeout: 2000 }).toMatchObject({ code: 'identify.token_required' });
    result.socket.send(JSON.stringify({ op: 'identify', token: 'not.a.jwt' }));
    await expect.poll(() => result.frames.find((f) => f.op === 'invalid_session'), { timeout: 2000 }).toMatchObject({ reason: 'token' });
    result.socket.send(JSON.stringify({ op: 'identify', token: await env.token('erin') }));
    await expect.poll(() => result.frames.find((f) => f.op === 'ready'), { timeout: 5000 }).toMatchObject({ userId: 'erin', cursor: expect.any(Number) });
  });

  it('treats an empty token at the upgrade as none: the socket must identify', async () => {
    const result = await attempt(`${url}?token=`);
    if (!result.opened) throw new Error(`refused: ${result.status}`);
    open.push(result.socket);
    await expect.poll(() => result.frames[0]?.op, { timeout: 2000 }).toBe('hello');
    result.socket.send(JSON.stringify({ op: 'identify' }));
    await expect.poll(() => result.frames.find((f) => f.op === 'error'), { timeout: 2000 }).toMatchObject({ code: 'identify.token_required' });
  });

  it('refuses garbage tokens with 401', async () => {
    for (const token of ['garbage', 'a.b.c', '..', '%00%0d%0a', 'x'.repeat(4000)]) {
      await expectRefused(await attempt(`${url}?token=${token}`));
    }
    await expectRefused(await attempt(url, { authorization: 'Bearer not.a.jwt' }));
  });

  it('refuses an expired token with 401', async () => {
    // ttl -60: already expired when minted, and signed with the right key.
    const expired = await env.token('alice', -60);
    await expectRefused(await attempt(`${url}?token=${expired}`));
    await expectRefused(await attempt(url, { authorization: `Bearer ${expired}` }));
  });

  it('refuses a token for another issuer or signed by another environment', async () => {
    const elsewhere = await isolatedEnv();
    try {
      await expectRefused(await attempt(`${url}?token=${await elsewhere.token('alice')}`));
    } finally {
      await elsewhere.cleanup();
    }
  });

  it('accepts a token in the Authorization: Bearer header', async () => {
    const result = await attempt(url, { authorization: `Bearer ${await env.token('carol')}` });
    if (!result.opened) throw new Error(`refused: ${result.status} ${result.body}`);
    open.push(result.socket);
    await expect.poll(() => result.frames[0], { timeout: 2000 }).toMatchObject({ op: 'hello', v: 2 });
    result.socket.send(JSON.stringify({ op: 'identify' }));
    await expect.poll(() => result.frames.find((f) => f.op === 'ready'), { timeout: 2000 }).toMatchObject({ userId: 'carol' });
    // The scheme is case-insensitive (RFC 9110).
    const lower = await attempt(url, { authorization: `bearer ${await env.token('carol')}` });
    if (!lower.opened) throw new Error(`lower-case scheme refused: ${lower.status}`);
    open.push(lower.socket);
    lower.socket.send(JSON.stringify({ op: 'identify' }));
    await expect.poll(() => lower.frames.find((f) => f.op === 'ready'), { timeout: 2000 }).toMatchObject({ userId: 'carol' });
  });

  it('takes the user id from the token, never from the client', async () => {
    const token = await env.token('dave');
    const result = await attempt(`${url}?token=${token}&userId=mallory&user=mallory`, { 'x-user-id': 'mallory' });
    if (!result.opened) throw new Error(`refused: ${result.status}`);
    open.push(result.socket);
    await expect.poll(() => result.frames[0], { timeout: 2000 }).toMatchObject({ op: 'hello', v: 2, node: 'gw1' });
    result.socket.send(JSON.stringify({ op: 'identify' }));
    await expect.poll(() => result.frames.find((f) => f.op === 'ready'), { timeout: 2000 }).toMatchObject({ userId: 'dave' });

    // Acting through the socket: the resulting event names the token's user as actor and owner.
    const client = await TestClient.connect(url, token);
    try {
      const outcome = await client.command('CreateGuild', { name: 'daves place', ownerId: 'mallory' });
      expect(outcome).toMatchObject({ op: 'error', code: 'input.unknown_field' });
      const guild = await client.accepted('CreateGuild', { name: 'daves place' });
      expect(guild.data).toMatchObject({ ownerId: 'dave' });
      const event = client.frames.find((f) => f.op === 'outcome' && f['status'] === 'accepted')!['event'] as Frame;
      expect(event['actorId']).toBe('dave');
    } finally {
      await client.close();
    }
  });

  it('closes the socket with 4001 once a short-lived token expires', async () => {
    const token = await env.token('erin', 2);
    const expiresAt = decodeJwt(token).exp! * 1000;
    const client = await TestClient.connect(url, token);
    const closed = closeOf(client.socket);
    await client.waitFor((f) => f.op === 'ready', 15_000, 'ready');
    expect(client.closed).toBeNull();
    const { code, reason, at } = await closed;
    expect(code).toBe(CLOSE.tokenExpired.code);
    expect(code).toBe(4001);
    expect(reason).toMatch(/token expired/);
    expect(at).toBeGreaterThanOrEqual(expiresAt - 50);
    expect(at).toBeLessThan(expiresAt + 1500);
  });

  it('keeps a session past its first token when the client re-identifies with a fresh one, and only with its own', async () => {
    const client = await TestClient.connect(url, await env.token('gail', 2));
    const closed = closeOf(client.socket);
    client.send({ op: 'identify', token: await env.token('gail', 3600) });
    const renewed = await client.waitFor((f) => f.op === 'identified', 2000, 'identified');
    expect(renewed['expiresAt']).toBeGreaterThan(Date.now() + 3000_000);
    // Past the first token's expiry the session is still served.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(client.closed).toBeNull();
    client.send({ op: 'heartbeat' });
    await client.waitFor((f) => f.op === 'heartbeat_ack', 1000, 'heartbeat_ack');
    // A bad token changes nothing; another user's token ends the connection.
    client.send({ op: 'identify', token: 'not.a.jwt' });
    await client.waitFor((f) => f.op === 'error' && f['code'] === 'identify.invalid_token', 2000, 'identify.invalid_token');
    expect(client.closed).toBeNull();
    client.send({ op: 'identify', token: await env.token('mallory', 3600) });
    expect(await closed).toMatchObject({ code: CLOSE.wrongUser.code });
  });

  it('keeps a socket with a long-lived token open', async () => {
    // 30 days is past setTimeout's 2^31-1 ms limit; a naive expiry timer fires at once.
    const client = await TestClient.connect(url, await env.token('frank', 30 * 24 * 3600));
    try {
      await client.waitFor((f) => f.op === 'ready', 15_000, 'ready');
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(client.closed).toBeNull();
      client.send({ op: 'heartbeat' });
      await client.waitFor((f) => f.op === 'heartbeat_ack', 1000, 'heartbeat_ack');
    } finally {
      await client.close();
    }
  });
});
