import { describe, it } from 'vitest';
import type { CommandMeta, GuildEvent } from '../index.ts';
import { given } from '../index.ts';

const NOW = Date.UTC(2026, 10, 21, 12, 0, 0);
const meta = (actorId: string, overrides: Partial<CommandMeta> = {}): CommandMeta => ({
  actorId,
  now: NOW,
  ids: ['ID1', 'ID2', 'ID3'],
  inviteCode: 'CODE1234',
  ...overrides,
});

const created: GuildEvent = {
  type: 'GuildCreated',
  data: { guildId: 'g1', name: 'Rust Fans', ownerId: 'alice', categoryId: 'cat1', channelId: 'ch1' },
};
const invite = (code: string, maxUses: number | null, expiresAt: number | null = null): GuildEvent => ({
  type: 'InviteCreated',
  data: { guildId: 'g1', code, channelId: 'ch1', createdBy: 'alice', maxUses, expiresAt },
});
const joined = (userId: string, inviteCode: string | null = 'INV0001'): GuildEvent => ({
  type: 'MemberJoined',
  data: { guildId: 'g1', userId, inviteCode },
});

describe('CreateGuild', () => {
  it('creates the guild with its default category and general channel, owner as member', () => {
    given()
      .when({ type: 'CreateGuild', data: { name: 'Rust Fans' } }, meta('alice'))
      .then({
        type: 'GuildCreated',
        data: { guildId: 'ID1', name: 'Rust Fans', ownerId: 'alice', categoryId: 'ID2', channelId: 'ID3' },
      });
  });

  it('refuses to run against an existing guild state', () => {
    given(created).when({ type: 'CreateGuild', data: { name: 'x' } }, meta('alice')).thenRejects('guild.exists', 409);
  });
});

describe('CreateChannel', () => {
  const command = { type: 'CreateChannel' as const, data: { guildId: 'g1', name: 'random' } };

  it('lets the owner add a channel after the existing ones', () => {
    given(created)
      .when(command, meta('alice'))
      .then({
        type: 'ChannelCreated',
        data: { guildId: 'g1', channelId: 'ID1', name: 'random', categoryId: null, position: 1 },
      });
  });

  it('refuses a member who is not the owner', () => {
    given(created, invite('INV0001', null), joined('bob')).when(command, meta('bob')).thenRejects('permission.manage_channels', 403);
  });

  it('refuses a stranger', () => {
    given(created).when(command, meta('mallory')).thenRejects('guild.not_member', 403);
  });

  it('refuses an unknown guild', () => {
    given().when(command, meta('alice')).thenRejects('guild.not_found', 404);
  });
});

describe('CreateInvite', () => {
  it('creates an invite with an expiry computed from the command time', () => {
    given(created)
      .when({ type: 'CreateInvite', data: { guildId: 'g1', channelId: 'ch1', maxUses: 3, maxAgeSeconds: 60 } }, meta('alice'))
      .then({
        type: 'InviteCreated',
        data: { guildId: 'g1', code: 'CODE1234', channelId: 'ch1', createdBy: 'alice', maxUses: 3, expiresAt: NOW + 60_000 },
      });
  });

  it('refuses a channel of another guild', () => {
    given(created)
      .when({ type: 'CreateInvite', data: { guildId: 'g1', channelId: 'other', maxUses: null, maxAgeSeconds: null } }, meta('alice'))
      .thenRejects('channel.not_found', 404);
  });

  it('refuses a non-member', () => {
    given(created)
      .when({ type: 'CreateInvite', data: { guildId: 'g1', channelId: 'ch1', maxUses: null, maxAgeSeconds: null } }, meta('eve'))
      .thenRejects('guild.not_member', 403);
  });
});

describe('JoinGuild', () => {
  const join = { type: 'JoinGuild' as const, data: { code: 'INV0001' } };

  it('admits a newcomer with a valid invite', () => {
    given(created, invite('INV0001', null)).when(join, meta('bob')).then(joined('bob'));
  });

  it('admits no one once max uses are spent', () => {
    given(created, invite('INV0001', 2), joined('bob'), joined('carol')).when(join, meta('dave')).thenRejects('invite.used_up', 400);
  });

  it('admits up to max uses', () => {
    given(created, invite('INV0001', 2), joined('bob')).when(join, meta('carol')).then(joined('carol'));
  });

  it('refuses an expired invite, exactly at expiry', () => {
    given(created, invite('INV0001', null, NOW)).when(join, meta('bob')).thenRejects('invite.expired', 400);
  });

  it('refuses an unknown code', () => {
    given(created, invite('INV0001', null)).when({ type: 'JoinGuild', data: { code: 'NOPE0000' } }, meta('bob')).thenRejects('invite.not_found', 404);
  });

  it('refuses an existing member', () => {
    given(created, invite('INV0001', null)).when(join, meta('alice')).thenRejects('guild.already_member', 409);
  });
});

describe('PostMessage', () => {
  const post = (channelId: string) => ({
    type: 'PostMessage' as const,
    data: { guildId: 'g1', channelId, content: 'hello', nonce: 'n1' },
  });

  it('lets a member post in a channel of the guild', () => {
    given(created, invite('INV0001', null), joined('bob'))
      .when(post('ch1'), meta('bob'))
      .then({
        type: 'MessagePosted',
        data: { guildId: 'g1', channelId: 'ch1', messageId: 'ID1', authorId: 'bob', content: 'hello', nonce: 'n1' },
      });
  });

  it('refuses a non-member', () => {
    given(created).when(post('ch1'), meta('eve')).thenRejects('guild.not_member', 403);
  });

  it('refuses a channel id of another guild', () => {
    given(created).when(post('elsewhere'), meta('alice')).thenRejects('channel.not_found', 404);
  });
});
