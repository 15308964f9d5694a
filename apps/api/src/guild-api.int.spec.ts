import { ALL_PERMISSIONS, DEFAULT_EVERYONE_PERMISSIONS, PERMISSIONS } from '@parley/domain';
import { beforeAll, describe, expect, it } from 'vitest';
import { apiGet, eventually, TestClient, useSystem } from '@parley/testing';

// The guild routes decide access with the domain's permission functions over
// the read model (promise 6): roles, channel overwrites, kicks and bans change
// what each user gets, once the projection has caught up with the event.
const { viewChannel, kickMembers, banMembers } = PERMISSIONS;
type Channel = { id: string; name: string; position: number; permissions: number };
type Overview = { permissions: number; roles: unknown[]; categories: { id: string; name: string; channels: Channel[] }[]; channels: Channel[] };

describe('the guild API', () => {
  const harness = useSystem();
  const clients: Record<string, TestClient> = {};
  const tokens: Record<string, string> = {};
  let guildId: string;
  let general: string;
  let staff: string;
  let code: string;
  let staffPost: number;

  const get = (user: string, path: string) => apiGet(harness.system.apiUrl, path, tokens[user]!);
  const accepted = (user: string, type: string, data: Record<string, unknown>) => clients[user]!.accepted(type, data);
  /** Waits until the guilds projection (or history, for a channel path) reflects `cursor`. */
  const caughtUp = (cursor: number, path = '/v1/guilds') =>
    eventually(async () => ((await get('alice', path)).body.cursor >= cursor ? true : undefined), 10_000, `${path} at ${cursor}`);
  const channelNames = (overview: Overview) => [
    ...overview.categories.map((c) => [c.name, c.channels.map((ch) => ch.name)]),
    ['(none)', overview.channels.map((ch) => ch.name)],
  ];

  beforeAll(async () => {
    for (const user of ['alice', 'bob', 'carol', 'dave', 'mallory']) {
      tokens[user] = await harness.env.token(user);
      clients[user] = await harness.connect(user);
    }
    const guild = await accepted('alice', 'CreateGuild', { name: 'Permissions' });
    [guildId, general] = [guild.data['guildId'] as string, guild.data['channelId'] as string];
    code = (await accepted('alice', 'CreateInvite', { guildId, channelId: general, maxUses: null, maxAgeSeconds: null })).data['code'] as string;
    for (const user of ['bob', 'carol', 'dave']) await accepted(user, 'JoinGuild', { code });
    const mod = (await accepted('alice', 'CreateRole', { guildId, name: 'mod', permissions: kickMembers | banMembers })).data['roleId'];
    await accepted('alice', 'AssignRole', { guildId, roleId: mod, userId: 'bob' });
    await accepted('carol', 'SetNickname', { guildId, userId: 'carol', nickname: 'Caz' });
    // A staff category whose only channel @everyone may not see, but mod may.
    const category = (await accepted('alice', 'CreateCategory', { guildId, name: 'Staff' })).data['categoryId'];
    staff = (await accepted('alice', 'CreateChannel', { guildId, name: 'staff', categoryId: category })).data['channelId'] as string;
    await accepted('alice', 'SetChannelOverwrite', { guildId, channelId: staff, targetType: 'role', targetId: guildId, allow: 0, deny: viewChannel });
    const last = await accepted('alice', 'SetChannelOverwrite', { guildId, channelId: staff, targetType: 'role', targetId: mod, allow: viewChannel, deny: 0 });
    await accepted('alice', 'PostMessage', { guildId, channelId: general, content: 'hello all' });
    staffPost = (await accepted('alice', 'PostMessage', { guildId, channelId: staff, content: 'staff only' })).cursor;
    await caughtUp(last.cursor);
    await caughtUp(staffPost, `/v1/channels/${staff}/messages`);
  });

  it('shows each member the channels and categories they may view, with their permissions', async () => {
    const owner: Overview = (await get('alice', `/v1/guilds/${guildId}`)).body.data;
    expect(owner).toMatchObject({ id: guildId, name: 'Permissions', ownerId: 'alice', defaultChannelId: general, memberCount: 4, permissions: ALL_PERMISSIONS });
    expect(channelNames(owner)).toEqual([['Text Channels', ['general']], ['Staff', ['staff']], ['(none)', []]]);
    expect(owner.roles).toEqual([
      { id: guildId, name: '@everyone', permissions: DEFAULT_EVERYONE_PERMISSIONS, position: 0 },
      { id: expect.any(String), name: 'mod', permissions: kickMembers | banMembers, position: 1 },
    ]);
    const moderator: Overview = (await get('bob', `/v1/guilds/${guildId}`)).body.data;
    expect(moderator.permissions).toBe(DEFAULT_EVERYONE_PERMISSIONS | kickMembers | banMembers);
    expect(channelNames(moderator)).toEqual(channelNames(owner));
    // carol holds only @everyone: the staff channel and its category are not there at all.
    const member: Overview = (await get('carol', `/v1/guilds/${guildId}`)).body.data;
    expect(member.permissions).toBe(DEFAULT_EVERYONE_PERMISSIONS);
    expect(channelNames(member)).toEqual([['Text Channels', ['general']], ['(none)', []]]);
    expect(member.categories[0]!.channels[0]).toMatchObject({ id: general, position: 0, permissions: DEFAULT_EVERYONE_PERMISSIONS });
    expect((await get('carol', `/v1/guilds/${guildId}/channels`)).body.data.map((c: Channel) => c.name)).toEqual(['general']);
    expect(await get('mallory', `/v1/guilds/${guildId}`)).toMatchObject({ status: 404, body: { error: { code: 'guild.not_found' } } });
  });

  it('serves a hidden channel’s history only to those who may view it', async () => {
    expect((await get('bob', `/v1/channels/${staff}/messages`)).body.data.map((m: { content: string }) => m.content)).toEqual(['staff only']);
    const hidden = await get('carol', `/v1/channels/${staff}/messages`);
    expect(hidden).toEqual({ status: 404, body: { error: { code: 'channel.not_found', message: expect.any(String) } } });
    expect(await get('carol', '/v1/channels/NoSuchChannel/messages')).toEqual(hidden);
    expect((await get('carol', `/v1/channels/${general}/messages`)).status).toBe(200);
  });

  it('lists members with their nicknames and roles', async () => {
    const members = (await get('carol', `/v1/guilds/${guildId}/members`)).body.data;
    expect(members.map(({ userId, nickname, roleIds }: Record<string, unknown>) => [userId, nickname, roleIds])).toEqual([
      ['alice', null, []],
      ['bob', null, [expect.any(String)]],
      ['carol', 'Caz', []],
      ['dave', null, []],
    ]);
  });

  it('lists invites to those who manage the guild, and bans to those who may ban', async () => {
    const invites = await get('alice', `/v1/guilds/${guildId}/invites`);
    expect(invites.body.data).toEqual([{ code, channelId: general, createdBy: 'alice', uses: 3, maxUses: null, expiresAt: null, revoked: false }]);
    expect(await get('bob', `/v1/guilds/${guildId}/invites`)).toMatchObject({ status: 403, body: { error: { code: 'permission.manageGuild' } } });
    expect(await get('mallory', `/v1/guilds/${guildId}/invites`)).toMatchObject({ status: 404, body: { error: { code: 'guild.not_found' } } });
    expect(await get('bob', `/v1/guilds/${guildId}/bans`)).toMatchObject({ status: 200, body: { data: [] } });
    expect(await get('carol', `/v1/guilds/${guildId}/bans`)).toMatchObject({ status: 403, body: { error: { code: 'permission.banMembers' } } });
  });

  it('previews an invite for anyone signed in, and says when it no longer works', async () => {
    const preview = await get('mallory', `/v1/invites/${code}`);
    expect(preview.body.data).toEqual({ code, guildId, name: 'Permissions', iconId: null, memberCount: 4, usable: true, reason: null });
    const once = (await accepted('alice', 'CreateInvite', { guildId, channelId: general, maxUses: 1, maxAgeSeconds: null })).data['code'] as string;
    await caughtUp((await accepted('alice', 'RevokeInvite', { guildId, code: once })).cursor);
    expect((await get('mallory', `/v1/invites/${once}`)).body.data).toMatchObject({ usable: false, reason: 'invite.revoked' });
    expect(await get('mallory', '/v1/invites/ZZZZZZZZ')).toMatchObject({ status: 404, body: { error: { code: 'invite.not_found' } } });
    for (const bad of ['abc', 'has-dash1', 'x'.repeat(33)]) {
      expect(await get('mallory', `/v1/invites/${bad}`), bad).toMatchObject({ status: 400, body: { error: { code: 'path.invalid_code' } } });
    }
  });

  it('cuts a kicked or banned member off at once, and lists the ban', async () => {
    expect((await get('dave', `/v1/channels/${general}/messages`)).status).toBe(200);
    await accepted('bob', 'KickMember', { guildId, userId: 'dave' });
    const ban = await accepted('bob', 'BanMember', { guildId, userId: 'carol', reason: 'spam' });
    await caughtUp(ban.cursor);
    for (const user of ['dave', 'carol']) {
      expect((await get(user, `/v1/channels/${general}/messages`)).status, user).toBe(404);
      expect((await get(user, `/v1/guilds/${guildId}`)).status, user).toBe(404);
      expect((await get(user, '/v1/guilds')).body.data, user).toEqual([]);
    }
    const bans = (await get('bob', `/v1/guilds/${guildId}/bans`)).body.data;
    expect(bans).toEqual([{ userId: 'carol', bannedBy: 'bob', reason: 'spam', bannedAt: expect.stringMatching(/^\d{4}-/) }]);
    expect((await get('alice', `/v1/guilds/${guildId}`)).body.data.memberCount).toBe(2);
  });

  it('treats a deleted guild as gone, invites included', async () => {
    const guild = await accepted('mallory', 'CreateGuild', { name: 'Doomed' });
    const doomed = guild.data['guildId'] as string;
    const invite = await accepted('mallory', 'CreateInvite', { guildId: doomed, channelId: guild.data['channelId'], maxUses: null, maxAgeSeconds: null });
    await caughtUp((await accepted('mallory', 'DeleteGuild', { guildId: doomed })).cursor);
    expect((await get('mallory', '/v1/guilds')).body.data).toEqual([]);
    expect((await get('mallory', `/v1/guilds/${doomed}`)).status).toBe(404);
    expect((await get('mallory', `/v1/guilds/${doomed}/members`)).status).toBe(404);
    expect((await get('mallory', `/v1/channels/${guild.data['channelId']}/messages`)).status).toBe(404);
    expect((await get('alice', `/v1/invites/${invite.data['code']}`)).body.error.code).toBe('invite.not_found');
  });
});
