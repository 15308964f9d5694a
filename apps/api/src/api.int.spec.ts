import { connect as connectTcp } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiGet, eventually, isolatedEnv, startSystem, TestClient, type TestEnv, type TestSystem } from '@parley/testing';

// The HTTP query API: bearer auth, strict parameters with a machine-readable
// error code, membership checks that reveal nothing about other guilds, and
// keyset pages that each say which event log cursor they reflect (promise 4).
type Message = { cursor: number; id: string; authorId: string; content: string; createdAt: string };

describe('the HTTP query API', () => {
  let env: TestEnv;
  let system: TestSystem;
  let alice: TestClient;
  let aliceToken: string;
  let malloryToken: string;
  let guildId: string;
  let channelId: string;
  let lastGuildEvent: number;
  const posted: number[] = [];
  const clients: TestClient[] = [];

  const get = (path: string, token = aliceToken) => apiGet(system.apiUrl, path, token);
  const request = async (path: string, init: RequestInit = {}) => {
    const res = await fetch(`${system.apiUrl}${path}`, init);
    return { status: res.status, type: res.headers.get('content-type'), body: await res.json() };
  };
  /** Sends a raw request line, for targets fetch would normalise away. */
  const rawStatus = (target: string) =>
    new Promise<number>((resolve, reject) => {
      const socket = connectTcp(Number(new URL(system.apiUrl).port), '127.0.0.1', () =>
        socket.write(`GET ${target} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${aliceToken}\r\nConnection: close\r\n\r\n`),
      );
      let text = '';
      socket.on('data', (chunk) => (text += chunk.toString()));
      socket.on('end', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0)));
      socket.on('error', reject);
    });
  const contents = (data: Message[]) => data.map((m) => m.cursor);

  beforeAll(async () => {
    env = await isolatedEnv();
    system = await startSystem(env);
    [aliceToken, malloryToken] = await Promise.all([env.token('alice'), env.token('mallory')]);
    alice = await TestClient.connect(system.wsUrl(0), aliceToken);
    clients.push(alice);
    const guild = await alice.accepted('CreateGuild', { name: 'api' });
    guildId = guild.data['guildId'] as string;
    channelId = guild.data['channelId'] as string;
    const invite = await alice.accepted('CreateInvite', { guildId, channelId, maxUses: null, maxAgeSeconds: null });
    // Joined out of alphabetical order, so the member page order is the server's, not ours.
    for (const user of ['erin', 'bob', 'dave', 'carol']) {
      const client = await TestClient.connect(system.wsUrl(0), await env.token(user));
      clients.push(client);
      lastGuildEvent = (await client.accepted('JoinGuild', { code: invite.data['code'] })).cursor;
    }
    for (let i = 1; i <= 7; i++) posted.push((await alice.accepted('PostMessage', { guildId, channelId, content: `m${i}` })).cursor);
    await eventually(async () => ((await get(`/v1/channels/${channelId}/messages`)).body.cursor >= posted[6]! ? true : undefined), 5000, 'history');
    await eventually(async () => ((await get('/v1/guilds')).body.cursor >= lastGuildEvent ? true : undefined), 5000, 'guilds');
  });

  afterAll(async () => {
    for (const client of clients) await client.close();
    await system?.stop();
    await env?.cleanup();
  });

  it('answers 401 with an error code without a token, with a bad one, or with an expired one', async () => {
    const none = await request('/v1/guilds');
    expect(none).toMatchObject({ status: 401, type: expect.stringMatching(/^application\/json/), body: { error: { code: 'auth.missing' } } });
    const basic = await request('/v1/guilds', { headers: { authorization: 'Basic YWxpY2U6c2VjcmV0' } });
    expect(basic).toMatchObject({ status: 401, body: { error: { code: 'auth.missing' } } });
    for (const token of ['garbage', 'a.b.c', '', await env.token('alice', -60), await env.token('alice', -60).then((t) => `${t.slice(0, -4)}AAAA`)]) {
      const res = await get(`/v1/channels/${channelId}/messages`, token);
      expect(res.status, token).toBe(401);
      expect(res.body.error).toMatchObject({ code: expect.stringMatching(/^auth\./), message: expect.any(String) });
      expect(res.body).not.toHaveProperty('data');
    }
  });

  it('answers 404 for a guild or channel of which the user is not a member, exactly as for one that does not exist', async () => {
    // The scheme is case-insensitive; a valid token is a valid token.
    expect(await request('/v1/guilds', { headers: { authorization: `bearer ${malloryToken}` } })).toMatchObject({ status: 200, body: { data: [] } });
    for (const path of [`/v1/guilds/${guildId}/channels`, `/v1/guilds/${guildId}/members`]) {
      const foreign = await get(path, malloryToken);
      const missing = await get(path.replace(guildId, 'NoSuchGuild'), malloryToken);
      expect(foreign).toEqual({ status: 404, body: { error: { code: 'guild.not_found', message: expect.any(String) } } });
      expect(missing).toEqual(foreign);
    }
    const foreignChannel = await get(`/v1/channels/${channelId}/messages`, malloryToken);
    expect(foreignChannel).toEqual({ status: 404, body: { error: { code: 'channel.not_found', message: expect.any(String) } } });
    expect(await get('/v1/channels/NoSuchChannel/messages', malloryToken)).toEqual(foreignChannel);
    expect((await get('/v1/guilds', malloryToken)).body.data).toEqual([]);
  });

  it('answers 400 for ids with wildcards or bad percent-encoding in the path', async () => {
    for (const id of ['*', '%3E', 'a.b', 'a%2Eb', 'a%20b', 'a%0D%0Ab', 'a%2Fb', `${'x'.repeat(65)}`, '%E0%A4%A', '%zz', '%']) {
      const res = await get(`/v1/guilds/${id}/members`);
      expect(res.status, id).toBe(400);
      expect(res.body.error.code, id).toMatch(/^path\./);
    }
    expect(await rawStatus(`/v1/channels/${channelId}.*/messages`)).toBe(400);
    expect(await rawStatus('/v1/channels/>/messages')).toBe(400);
    // Request targets that are not even URLs are the client's fault too, not a 500.
    for (const target of ['//[', '//%zz/v1/guilds', 'http://[/v1/guilds']) expect(await rawStatus(target), target).toBe(400);
  });

  it('answers 400 for bad cursors and limits', async () => {
    const base = `/v1/channels/${channelId}/messages`;
    for (const query of ['before=-1', 'before=abc', 'before=', 'before=1.5', 'before=1e3', 'after=-1', 'after=0x10', 'before=9999999999999999']) {
      const res = await get(`${base}?${query}`);
      expect(res, query).toMatchObject({ status: 400, body: { error: { code: 'query.invalid_cursor' } } });
    }
    for (const query of ['limit=0', 'limit=101', 'limit=-1', 'limit=abc', 'limit=', 'limit=1.5', 'limit=99999']) {
      const res = await get(`${base}?${query}`);
      expect(res, query).toMatchObject({ status: 400, body: { error: { code: 'query.invalid_limit' } } });
    }
    expect(await get(`/v1/guilds/${guildId}/members?limit=1001`)).toMatchObject({ status: 400, body: { error: { code: 'query.invalid_limit' } } });
    expect(await get(`/v1/guilds/${guildId}/members?after=a.*`)).toMatchObject({ status: 400, body: { error: { code: 'query.invalid_after' } } });
  });

  it('answers 405 for other methods and 404 for unknown routes', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      const res = await request(`/v1/channels/${channelId}/messages`, { method, headers: { authorization: `Bearer ${aliceToken}` }, body: '{}' });
      expect(res, method).toMatchObject({ status: 405, body: { error: { code: 'method.not_allowed' } } });
    }
    expect(await get('/v1/nothing-here')).toMatchObject({ status: 404, body: { error: { code: 'route.not_found' } } });
    expect(await get('/v1/guilds/')).toMatchObject({ status: 404 });
  });

  it('pages history newest first, back with before and forward with after', async () => {
    const base = `/v1/channels/${channelId}/messages`;
    const [c1, c2, c3, c4, c5, c6, c7] = posted as [number, number, number, number, number, number, number];
    const newest = await get(`${base}?limit=3`);
    expect(contents(newest.body.data)).toEqual([c7, c6, c5]);
    expect(newest.body.data.map((m: Message) => m.content)).toEqual(['m7', 'm6', 'm5']);
    expect(newest.body.data[0]).toMatchObject({ authorId: 'alice', id: expect.stringMatching(/^[A-Za-z0-9_-]+$/) });
    const older = await get(`${base}?limit=3&before=${newest.body.data.at(-1).cursor}`);
    expect(contents(older.body.data)).toEqual([c4, c3, c2]);
    const oldest = await get(`${base}?limit=3&before=${older.body.data.at(-1).cursor}`);
    expect(contents(oldest.body.data)).toEqual([c1]);
    expect(contents((await get(`${base}?limit=3&before=${c1}`)).body.data)).toEqual([]);
    // Forward: the `limit` oldest after the cursor, still newest first within the page.
    expect(contents((await get(`${base}?limit=3&after=${c1}`)).body.data)).toEqual([c4, c3, c2]);
    expect(contents((await get(`${base}?limit=3&after=${c4}`)).body.data)).toEqual([c7, c6, c5]);
    expect(contents((await get(`${base}?after=${c7}`)).body.data)).toEqual([]);
    expect(contents((await get(`${base}?after=${c2}&before=${c6}`)).body.data)).toEqual([c5, c4, c3]);
    expect(contents((await get(`${base}?after=0`)).body.data)).toEqual([c7, c6, c5, c4, c3, c2, c1]);
    for (const page of [newest, older, oldest]) expect(page.body.cursor).toBeGreaterThanOrEqual(c7);
  });

  it('pages members by user id with after', async () => {
    const base = `/v1/guilds/${guildId}/members`;
    const ids = (res: { body: { data: { userId: string }[] } }) => res.body.data.map((m) => m.userId);
    const first = await get(`${base}?limit=2`);
    expect(ids(first)).toEqual(['alice', 'bob']);
    expect(first.body.data[0].joinedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    const second = await get(`${base}?limit=2&after=bob`);
    expect(ids(second)).toEqual(['carol', 'dave']);
    expect(ids(await get(`${base}?limit=2&after=dave`))).toEqual(['erin']);
    expect(ids(await get(`${base}?after=erin`))).toEqual([]);
    expect(ids(await get(base, await env.token('erin')))).toEqual(['alice', 'bob', 'carol', 'dave', 'erin']);
    expect(first.body.cursor).toBeGreaterThanOrEqual(lastGuildEvent);
  });

  it('says which cursor every answer reflects, at or past the last event once caught up', async () => {
    const more = await alice.accepted('PostMessage', { guildId, channelId, content: 'latest' });
    const channel = await alice.accepted('CreateChannel', { guildId, name: 'second' });
    const caughtUp = (path: string, cursor: number) =>
      eventually(async () => {
        const res = await get(path);
        return res.body.cursor >= cursor ? res : undefined;
      }, 5000, path);
    const history = await caughtUp(`/v1/channels/${channelId}/messages?limit=1`, more.cursor);
    expect(history.body.data).toEqual([expect.objectContaining({ cursor: more.cursor, content: 'latest' })]);
    const channels = await caughtUp(`/v1/guilds/${guildId}/channels`, channel.cursor);
    expect(channels.body.data.map((c: { id: string }) => c.id)).toContain(channel.data['channelId']);
    const guilds = await caughtUp('/v1/guilds', channel.cursor);
    expect(guilds.body.data).toEqual([{ id: guildId, name: 'api', ownerId: 'alice', memberCount: 5 }]);
    expect((await caughtUp(`/v1/guilds/${guildId}/members`, channel.cursor)).body.data).toHaveLength(5);
    for (const res of [history, channels, guilds]) expect(Number.isInteger(res.body.cursor)).toBe(true);
  });
});
