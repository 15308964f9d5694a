import { describe, it } from 'vitest';
import { given } from '../testing/decider-specification.ts';
import { ev, G, meta, NOW, staffed, withMembers } from '../testing/guild-fixtures.ts';
import { DEFAULT_EVERYONE_PERMISSIONS, PERMISSIONS as P } from './permissions.ts';

describe('CreateInvite and RevokeInvite', () => {
  const create = (channelId = 'ch1') => ({ type: 'CreateInvite' as const, data: { guildId: G, channelId, maxUses: 3, maxAgeSeconds: 60 } });
  const revoke = { type: 'RevokeInvite' as const, data: { guildId: G, code: 'INV0001' } };

  it('creates an invite with an expiry computed from the command time', () => {
    given(...withMembers()).when(create(), meta('bob')).then({
      type: 'InviteCreated',
      data: { guildId: G, code: 'CODE1234', channelId: 'ch1', createdBy: 'bob', maxUses: 3, expiresAt: NOW + 60_000 },
    });
  });

  it('needs createInvites in that channel, and the channel must be of this guild', () => {
    given(...withMembers(), ev.everyone(P.viewChannel | P.sendMessages)).when(create(), meta('bob')).thenRejects('permission.createInvites', 403);
    given(...withMembers(), ev.overwrite('ch1', 'role', G, 0, P.createInvites)).when(create(), meta('bob')).thenRejects('permission.createInvites', 403);
    given(...withMembers()).when(create('other'), meta('bob')).thenRejects('channel.not_found', 404);
    given(...withMembers()).when(create(), meta('eve')).thenRejects('guild.not_member', 403);
  });

  it('lets the creator or a manageGuild holder revoke, once', () => {
    given(...withMembers(), ev.invite('INV0002', null, null, 'bob'))
      .when({ type: 'RevokeInvite', data: { guildId: G, code: 'INV0002' } }, meta('bob'))
      .then({ type: 'InviteRevoked', data: { guildId: G, code: 'INV0002', revokedBy: 'bob' } });
    given(...staffed(P.manageGuild)).when(revoke, meta('bob')).then({ type: 'InviteRevoked', data: { guildId: G, code: 'INV0001', revokedBy: 'bob' } });
    given(...withMembers()).when(revoke, meta('bob')).thenRejects('permission.manageGuild', 403);
    given(...withMembers(), { type: 'InviteRevoked', data: { guildId: G, code: 'INV0001', revokedBy: 'alice' } }).when(revoke, meta('alice')).thenRejects('invite.revoked', 400);
  });
});

describe('PostMessage', () => {
  const post = (channelId = 'ch1') => ({ type: 'PostMessage' as const, data: { guildId: G, channelId, content: 'hello', nonce: 'n1' } });
  const posted = (authorId: string) => ({
    type: 'MessagePosted' as const,
    data: { guildId: G, channelId: 'ch1', messageId: 'ID1', authorId, content: 'hello', nonce: 'n1' },
  });

  it('lets a member with view and send post', () => {
    given(...withMembers()).when(post(), meta('bob')).then(posted('bob'));
  });

  it('refuses strangers and channels of other guilds', () => {
    given(...withMembers()).when(post(), meta('eve')).thenRejects('guild.not_member', 403);
    given(...withMembers()).when(post('elsewhere'), meta('bob')).thenRejects('channel.not_found', 404);
  });

  it('follows the overwrite order: @everyone, then roles together, then the member', () => {
    const SEND = P.sendMessages;
    // @everyone denied sending here...
    given(...staffed(0), ev.overwrite('ch1', 'role', G, 0, SEND)).when(post(), meta('dave')).thenRejects('permission.sendMessages', 403);
    // ...a role's allow beats the @everyone deny...
    given(...staffed(0), ev.overwrite('ch1', 'role', G, 0, SEND), ev.overwrite('ch1', 'role', 'helper', SEND, 0)).when(post(), meta('carol')).then(posted('carol'));
    // ...when roles disagree, allow wins among roles...
    given(...staffed(0), ev.assigned('mod', 'carol'), ev.overwrite('ch1', 'role', 'mod', 0, SEND), ev.overwrite('ch1', 'role', 'helper', SEND, 0))
      .when(post(), meta('carol'))
      .then(posted('carol'));
    // ...and the member's own overwrite beats every role.
    given(...staffed(0), ev.overwrite('ch1', 'role', 'helper', SEND, 0), ev.overwrite('ch1', 'member', 'carol', 0, SEND)).when(post(), meta('carol')).thenRejects('permission.sendMessages', 403);
  });

  it('hides a channel without viewChannel, whatever else is allowed', () => {
    given(...staffed(0), ev.overwrite('ch1', 'member', 'dave', P.sendMessages, P.viewChannel)).when(post(), meta('dave')).thenRejects('permission.viewChannel', 403);
  });

  it('lets administrators and the owner through every overwrite', () => {
    given(...staffed(P.administrator), ev.overwrite('ch1', 'member', 'bob', 0, DEFAULT_EVERYONE_PERMISSIONS)).when(post(), meta('bob')).then(posted('bob'));
    given(...withMembers(), ev.overwrite('ch1', 'member', 'alice', 0, DEFAULT_EVERYONE_PERMISSIONS)).when(post(), meta('alice')).then(posted('alice'));
  });
});
