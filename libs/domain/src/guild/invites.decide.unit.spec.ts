import { describe, it } from 'vitest';
import { given } from '../testing/decider-specification.ts';
import { ev, G, meta, NOW, staffed, withMembers } from '../testing/guild-fixtures.ts';
import { PERMISSIONS as P } from './permissions.ts';

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
