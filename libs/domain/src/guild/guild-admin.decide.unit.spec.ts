import { describe, it } from 'vitest';
import { given } from '../testing/decider-specification.ts';
import { ev, G, meta, staffed, withMembers } from '../testing/guild-fixtures.ts';
import { PERMISSIONS as P } from './permissions.ts';

describe('CreateGuild', () => {
  it('creates the guild with its default category and general channel, owner as member', () => {
    given()
      .when({ type: 'CreateGuild', data: { name: 'Rust Fans' } }, meta('alice'))
      .then({ type: 'GuildCreated', data: { guildId: 'ID1', name: 'Rust Fans', ownerId: 'alice', categoryId: 'ID2', channelId: 'ID3' } });
  });

  it('refuses to run against an existing guild state', () => {
    given(ev.created()).when({ type: 'CreateGuild', data: { name: 'x' } }, meta('alice')).thenRejects('guild.exists', 409);
  });
});

describe('UpdateGuild', () => {
  const update = (data: object) => ({ type: 'UpdateGuild' as const, data: { guildId: G, name: null, description: null, iconId: null, defaultChannelId: null, ...data } });

  it('merges the changed fields into the full new values', () => {
    given(ev.created(), ev.channel('ch2'))
      .when(update({ description: { to: 'about rust' }, defaultChannelId: 'ch2' }), meta('alice'))
      .then({ type: 'GuildUpdated', data: { guildId: G, name: 'Rust Fans', description: 'about rust', iconId: null, defaultChannelId: 'ch2' } });
  });

  it('clears a field set to null', () => {
    given(ev.created(), { type: 'GuildUpdated', data: { guildId: G, name: 'R', description: 'old', iconId: 'icon1', defaultChannelId: 'ch1' } })
      .when(update({ iconId: { to: null } }), meta('alice'))
      .then({ type: 'GuildUpdated', data: { guildId: G, name: 'R', description: 'old', iconId: null, defaultChannelId: 'ch1' } });
  });

  it('lets a manageGuild holder edit, but not a plain member', () => {
    given(...staffed(P.manageGuild)).when(update({ name: 'New' }), meta('bob')).then({
      type: 'GuildUpdated',
      data: { guildId: G, name: 'New', description: null, iconId: null, defaultChannelId: 'ch1' },
    });
    given(...staffed(0)).when(update({ name: 'New' }), meta('dave')).thenRejects('permission.manageGuild', 403);
  });

  it('refuses a default channel of another guild', () => {
    given(ev.created()).when(update({ defaultChannelId: 'elsewhere' }), meta('alice')).thenRejects('channel.not_found', 404);
  });
});

describe('DeleteGuild and TransferOwnership', () => {
  it('lets only the owner delete the guild', () => {
    given(...withMembers()).when({ type: 'DeleteGuild', data: { guildId: G } }, meta('alice')).then({ type: 'GuildDeleted', data: { guildId: G, deletedBy: 'alice' } });
    given(...staffed(P.administrator)).when({ type: 'DeleteGuild', data: { guildId: G } }, meta('bob')).thenRejects('guild.owner_only', 403);
  });

  it('makes everything in a deleted guild unreachable', () => {
    given(...withMembers(), ev.deleted())
      .when({ type: 'PostMessage', data: { guildId: G, channelId: 'ch1', content: 'hi', nonce: null, replyTo: null, attachments: [] } }, meta('bob'))
      .thenRejects('guild.not_found', 404);
    given(...withMembers(), ev.deleted()).when({ type: 'JoinGuild', data: { code: 'INV0001' } }, meta('erin')).thenRejects('invite.not_found', 404);
  });

  it('transfers ownership to a member only, from the owner only', () => {
    const transfer = (userId: string) => ({ type: 'TransferOwnership' as const, data: { guildId: G, userId } });
    given(...withMembers()).when(transfer('bob'), meta('alice')).then({ type: 'OwnershipTransferred', data: { guildId: G, previousOwnerId: 'alice', newOwnerId: 'bob' } });
    given(...withMembers()).when(transfer('zed'), meta('alice')).thenRejects('member.not_found', 404);
    given(...withMembers()).when(transfer('carol'), meta('bob')).thenRejects('guild.owner_only', 403);
    given(...withMembers()).when(transfer('alice'), meta('alice')).thenRejects('guild.already_owner', 400);
  });

  it("gives the new owner every power and takes the old owner's away", () => {
    const moved = { type: 'OwnershipTransferred' as const, data: { guildId: G, previousOwnerId: 'alice', newOwnerId: 'bob' } };
    given(...withMembers(), moved).when({ type: 'DeleteGuild', data: { guildId: G } }, meta('bob')).then({ type: 'GuildDeleted', data: { guildId: G, deletedBy: 'bob' } });
    given(...withMembers(), moved).when({ type: 'KickMember', data: { guildId: G, userId: 'carol' } }, meta('alice')).thenRejects('permission.kickMembers', 403);
  });
});
