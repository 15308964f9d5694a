import { Objm } from '@nats-io/obj';
import { connectNats } from '@parley/platform';
import { apiGet, eventually, useSystem } from '@parley/testing';
import { describe, expect, it } from 'vitest';

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 7)]);
const EXE = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(64, 0)]);

describe('uploads', () => {
  const harness = useSystem();

  const upload = async (token: string | null, type: string | null, body: Buffer) => {
    const res = await fetch(`${harness.system.apiUrl}/v1/uploads`, {
      method: 'POST',
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(type ? { 'content-type': type } : {}) },
      body,
    });
    return { status: res.status, body: (await res.json()) as { id: string; error?: { code: string } } };
  };
  const stored = async () => {
    const nc = await connectNats(harness.env.natsUrl, 'uploads-test');
    try {
      return (await (await new Objm(nc).open(harness.env.names.uploadBucket)).list()).length;
    } finally {
      await nc.close();
    }
  };

  it('stores what the bytes are under a server-chosen name, and serves it back', async () => {
    const token = await harness.env.token('alice');
    const res = await upload(token, 'image/png', PNG);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ ownerId: 'alice', contentType: 'image/png', kind: 'image', size: PNG.length });
    const served = await fetch(`${harness.system.apiUrl}/v1/uploads/${res.body.id}`);
    expect(served.headers.get('content-type')).toBe('image/png');
    expect(served.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await served.arrayBuffer())).toEqual(PNG);
    expect((await fetch(`${harness.system.apiUrl}/v1/uploads/nope`)).status).toBe(404);
  });

  it('refuses lying, unknown, empty, oversize and anonymous uploads, and writes nothing for them', async () => {
    const token = await harness.env.token('mallory');
    const before = await stored();
    const refusals: [string | null, string | null, Buffer, number, string][] = [
      [token, 'image/jpeg', PNG, 415, 'upload.type_mismatch'],
      [token, 'text/plain', PNG, 415, 'upload.type_mismatch'],
      [token, 'application/octet-stream', EXE, 415, 'upload.unsupported_type'],
      [token, 'image/png', Buffer.alloc(0), 400, 'upload.empty'],
      [token, 'image/png', Buffer.concat([PNG, Buffer.alloc(8 * 1024 * 1024)]), 413, 'upload.too_large'],
      [token, null, PNG, 415, 'upload.no_type'],
      [null, 'image/png', PNG, 401, 'auth.missing'],
    ];
    for (const [who, type, body, status, code] of refusals) {
      const res = await upload(who, type, body);
      expect([res.status, res.body.error?.code]).toEqual([status, code]);
    }
    expect(await stored()).toBe(before);
  });

  it('lets avatars and guild icons be only images their user uploaded', async () => {
    const token = await harness.env.token('bob');
    const mine = (await upload(token, 'image/png', PNG)).body.id;
    const text = (await upload(token, 'text/plain', Buffer.from('hello'))).body.id;
    const theirs = (await upload(await harness.env.token('carol'), 'image/png', PNG)).body.id;
    const patch = (avatarId: string) =>
      fetch(`${harness.system.apiUrl}/v1/me`, { method: 'PATCH', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ avatarId }) });
    expect(((await (await patch(theirs)).json()) as { error: { code: string } }).error.code).toBe('upload.not_usable');
    expect(((await (await patch(text)).json()) as { error: { code: string } }).error.code).toBe('upload.not_usable');

    const client = await harness.connect('bob');
    const guildId = (await client.accepted('CreateGuild', { name: 'Icons' })).data['guildId'];
    expect(await client.command('UpdateGuild', { guildId, iconId: theirs })).toMatchObject({ op: 'error', code: 'upload.not_usable' });
    expect((await client.accepted('UpdateGuild', { guildId, iconId: mine })).data).toMatchObject({ iconId: mine });

    // Attachments: any kind of upload, but the author's own.
    const channelId = (await client.accepted('UpdateGuild', { guildId, name: 'Icons' })).data['defaultChannelId'];
    expect(await client.command('PostMessage', { guildId, channelId, content: 'look', attachments: [mine, theirs] })).toMatchObject({ op: 'error', code: 'upload.not_usable' });
    const posted = await client.accepted('PostMessage', { guildId, channelId, content: 'look', attachments: [mine, text] });
    expect(posted.data['attachments']).toEqual([mine, text]);
    const history = await eventually(async () => {
      const res = await apiGet(harness.system.apiUrl, `/v1/channels/${channelId}/messages`, token);
      return res.body.cursor >= posted.cursor ? res.body.data : undefined;
    }, 5000, 'history with attachments');
    expect(history[0]).toMatchObject({ content: 'look', attachments: [mine, text] });
  });
});
