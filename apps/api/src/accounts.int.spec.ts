import { createLocalJWKSet, jwtVerify } from 'jose';
import { createVerifier } from '@parley/platform';
import { eventually, isolatedEnv, startSystem, TestClient, type TestEnv, type TestSystem } from '@parley/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

type Tokens = { userId: string; sessionId: string; accessToken: string; refreshToken: string; expiresIn: number };

describe('accounts and sessions', () => {
  let env: TestEnv;
  let system: TestSystem;
  const clients: TestClient[] = [];

  const call = async (method: string, path: string, body?: unknown, token?: string, type = 'application/json') => {
    const res = await fetch(`${system.apiUrl}${path}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': type }), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
  const register = (handle: string, password = 'correct horse battery') =>
    call('POST', '/v1/accounts', { handle, displayName: handle.toUpperCase(), email: `${handle}@example.org`, password });
  const login = (handle: string, password = 'correct horse battery') => call('POST', '/v1/sessions', { handle, password });
  const connect = async (token: string) => {
    const client = await TestClient.connect(system.wsUrl(0), token);
    clients.push(client);
    await client.waitFor((f) => f.op === 'ready');
    return client;
  };

  beforeAll(async () => {
    env = await isolatedEnv();
    system = await startSystem(env);
  });

  afterAll(async () => {
    for (const client of clients) await client.close();
    await system?.stop();
    await env?.cleanup();
  });

  it('registers unique handles, refuses bad input with reasons, and logs in only with the right password', async () => {
    const alice = await register('alice');
    expect(alice.status).toBe(201);
    expect(alice.body).toMatchObject({ handle: 'alice', expiresIn: 900 });
    expect((await register('alice')).body.error.code).toBe('account.handle_taken');

    const bad: [unknown, string, number][] = [
      [{ handle: 'Al', displayName: 'A', email: 'a@example.org', password: 'long enough' }, 'input.invalid_handle', 400],
      [{ handle: 'bob', displayName: 'B', email: 'nope', password: 'long enough' }, 'input.invalid_email', 400],
      [{ handle: 'bob', displayName: 'B', email: 'b@example.org', password: 'short' }, 'input.out_of_range', 400],
      [{ handle: 'bob', displayName: 'B\u202e', email: 'b@example.org', password: 'long enough' }, 'input.bad_characters', 400],
      [JSON.parse('{"handle":"bob","displayName":"B","email":"b@example.org","password":"long enough","__proto__":{"admin":true}}'), 'input.forbidden_key', 400],
      ['{not json', 'body.invalid_json', 400],
      [JSON.stringify({ pad: 'x'.repeat(20_000) }), 'body.too_large', 413],
    ];
    for (const [body, code, status] of bad) {
      const res = await call('POST', '/v1/accounts', body);
      expect([res.status, res.body.error.code]).toEqual([status, code]);
    }
    expect((await call('POST', '/v1/accounts', 'handle=bob', undefined, 'application/x-www-form-urlencoded')).status).toBe(415);
    expect((await login('bob')).status).toBe(401); // "bob" was never registered by any of those

    expect((await login('alice', 'wrong password')).body.error.code).toBe('auth.invalid_credentials');
    expect((await login('nobody')).body.error.code).toBe('auth.invalid_credentials');
    const session = (await login('alice')).body as Tokens;
    expect(session.userId).toBe(alice.body.userId);

    // The token is an EdDSA JWT the published JWKS verifies, naming the session.
    const jwks = (await call('GET', '/.well-known/jwks.json')).body;
    expect(jwks.keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA' });
    expect(jwks.keys[0].d).toBeUndefined();
    const { payload } = await jwtVerify(session.accessToken, createLocalJWKSet(jwks), { issuer: env.auth.issuer, audience: env.auth.audience });
    expect(payload).toMatchObject({ sub: alice.body.userId, sid: session.sessionId });
    // Another service can trust Parley as its identity provider through that URL (as Parley can trust one).
    const remote = await createVerifier({ issuer: env.auth.issuer, audience: env.auth.audience, publicKey: { jwksUrl: `${system.apiUrl}/.well-known/jwks.json` } });
    expect(await remote(session.accessToken)).toMatchObject({ userId: alice.body.userId, sessionId: session.sessionId });
    const wrongAudience = await createVerifier({ issuer: env.auth.issuer, audience: 'someone-else', publicKey: { jwksUrl: `${system.apiUrl}/.well-known/jwks.json` } });
    await expect(wrongAudience(session.accessToken)).rejects.toThrow(/aud/);

    // It opens a socket as that user, and reads the profile, which can be edited.
    const client = await connect(session.accessToken);
    expect(client.frames.find((f) => f.op === 'ready')).toMatchObject({ userId: alice.body.userId });
    const me = await eventually(async () => {
      const res = await call('GET', '/v1/me', undefined, session.accessToken);
      return res.status === 200 ? res.body : undefined;
    }, 5000, 'profile');
    expect(me.data).toEqual({ id: alice.body.userId, handle: 'alice', displayName: 'ALICE', bio: null, avatarId: null });
    const edited = await call('PATCH', '/v1/me', { bio: 'rustacean', displayName: 'Alice A.' }, session.accessToken);
    expect(edited.status).toBe(200);
    const after = await eventually(async () => {
      const res = await call('GET', '/v1/me', undefined, session.accessToken);
      return res.body.cursor >= edited.body.cursor ? res.body.data : undefined;
    }, 5000, 'edited profile');
    expect(after).toMatchObject({ displayName: 'Alice A.', bio: 'rustacean' });
    expect((await call('PATCH', '/v1/me', {}, session.accessToken)).body.error.code).toBe('input.nothing_to_change');
  });

  it('rotates refresh tokens, and a logout closes that session everywhere at once and only that one', async () => {
    await register('carol');
    const one = (await login('carol')).body as Tokens;
    const two = (await login('carol')).body as Tokens;

    const refreshed = await call('POST', '/v1/sessions/refresh', { refreshToken: one.refreshToken });
    expect(refreshed.body).toMatchObject({ sessionId: one.sessionId });
    expect((await call('POST', '/v1/sessions/refresh', { refreshToken: one.refreshToken })).body.error.code).toBe('auth.invalid_refresh');

    const socketOne = await connect(one.accessToken);
    const socketTwo = await connect(two.accessToken);
    expect((await call('DELETE', '/v1/sessions', undefined, one.accessToken)).status).toBe(204);
    await eventually(async () => socketOne.closed ?? undefined, 3000, 'session one closed');
    expect(socketOne.closed!.code).toBe(4005);
    expect(socketTwo.closed).toBeNull();
    expect((await call('GET', '/v1/guilds', undefined, one.accessToken)).status).toBe(401);
    await expect(TestClient.connect(system.wsUrl(0), one.accessToken)).rejects.toThrow(/401/);
    expect((await call('POST', '/v1/sessions/refresh', { refreshToken: refreshed.body.refreshToken })).status).toBe(401);
    expect((await call('GET', '/v1/guilds', undefined, two.accessToken)).status).toBe(200);
  });

  it('takes every handle the rules allow, dots at the edges too', async () => {
    for (const handle of ['.dot', 'dot.', 'a..b']) {
      expect((await register(handle)).status).toBe(201);
      expect((await login(handle)).status).toBe(200);
      expect((await register(handle)).body.error.code).toBe('account.handle_taken');
    }
  });

  it('logs a development-token user out everywhere, closing their sockets', async () => {
    const token = await env.token('devuser');
    const socket = await connect(token);
    expect((await call('DELETE', '/v1/sessions', undefined, token)).body.error.code).toBe('auth.no_session');
    expect((await call('DELETE', '/v1/sessions?all=true', undefined, token)).status).toBe(204);
    await eventually(async () => socket.closed ?? undefined, 3000, 'socket closed');
    expect(socket.closed!.code).toBe(4005);
    expect((await call('GET', '/v1/guilds', undefined, token)).status).toBe(401);
  });

  it('deletes an account: its sessions end, it cannot log in, and its handle is free again', async () => {
    const dave = (await register('dave')).body as Tokens;
    const socket = await connect(dave.accessToken);
    // Deleted at once, before the profile is even projected: the handle is still freed.
    expect((await call('DELETE', '/v1/me', undefined, dave.accessToken)).status).toBe(200);
    await eventually(async () => socket.closed ?? undefined, 3000, 'socket closed');
    expect(socket.closed!.code).toBe(4005);
    expect((await login('dave')).status).toBe(401);
    expect((await call('GET', '/v1/guilds', undefined, dave.accessToken)).status).toBe(401);
    const again = await register('dave');
    expect(again.status).toBe(201);
    expect(again.body.userId).not.toBe(dave.userId);
  });
});
