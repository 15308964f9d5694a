import { describe, it } from 'vitest';
import { given } from '../testing/decider-specification.ts';
import { ev, G, meta, NOW, staffed, withMembers } from '../testing/guild-fixtures.ts';
import { PERMISSIONS as P } from './permissions.ts';

const join = (code = 'INV0001') => ({ type: 'JoinGuild' as const, data: { code } });
const kick = (userId: string) => ({ type: 'KickMember' as const, data: { guildId: G, userId } });
const ban = (userId: string) => ({ type: 'BanMember' as const, data: { guildId: G, userId, reason: 'spam' } });

describe('JoinGuild', () => {
  it('admits a newcomer with a valid invite', () => {
    given(ev.created(), ev.invite()).when(join(), meta('bob')).then(ev.joined('bob'));
  });

  it('admits up to max uses and no one after', () => {
    given(ev.created(), ev.invite('INV0001', 2), ev.joined('bob')).when(join(), meta('carol')).then(ev.joined('carol'));
    given(ev.created(), ev.invite('INV0001', 2), ev.joined('bob'), ev.joined('carol')).when(join(), meta('dave')).thenRejects('invite.used_up', 400);
  });

  it('refuses an expired invite, exactly at expiry', () => {
    given(ev.created(), ev.invite('INV0001', null, NOW)).when(join(), meta('bob')).thenRejects('invite.expired', 400);
  });

  it('refuses a revoked invite, an unknown code, a member and a banned user', () => {
    const revoked = { type: 'InviteRevoked' as const, data: { guildId: G, code: 'INV0001', revokedBy: 'alice' } };
    given(ev.created(), ev.invite(), revoked).when(join(), meta('bob')).thenRejects('invite.revoked', 400);
    given(ev.created(), ev.invite()).when(join('NOPE0000'), meta('bob')).thenRejects('invite.not_found', 404);
    given(ev.created(), ev.invite()).when(join(), meta('alice')).thenRejects('guild.already_member', 409);
    given(ev.created(), ev.invite(), ev.banned('mallory')).when(join(), meta('mallory')).thenRejects('guild.banned', 403);
  });

  it('refuses an invite whose channel was deleted', () => {
    const channelInvite = { type: 'InviteCreated' as const, data: { guildId: G, code: 'INV0002', channelId: 'ch2', createdBy: 'alice', maxUses: null, expiresAt: null } };
    given(ev.created(), ev.channel('ch2'), channelInvite, { type: 'ChannelDeleted', data: { guildId: G, channelId: 'ch2' } })
      .when(join('INV0002'), meta('bob'))
      .thenRejects('invite.not_found', 404);
  });

  it('admits a banned user again once unbanned', () => {
    const unbanned = { type: 'MemberUnbanned' as const, data: { guildId: G, userId: 'mallory', unbannedBy: 'alice' } };
    given(ev.created(), ev.invite(), ev.banned('mallory'), unbanned).when(join(), meta('mallory')).then(ev.joined('mallory'));
  });
});

describe('LeaveGuild', () => {
  it('lets a member leave, but not the owner', () => {
    given(...withMembers()).when({ type: 'LeaveGuild', data: { guildId: G } }, meta('bob')).then({ type: 'MemberLeft', data: { guildId: G, userId: 'bob' } });
    given(...withMembers()).when({ type: 'LeaveGuild', data: { guildId: G } }, meta('alice')).thenRejects('guild.owner_cannot_leave', 409);
    given(...withMembers()).when({ type: 'LeaveGuild', data: { guildId: G } }, meta('zed')).thenRejects('guild.not_member', 403);
  });

  it('takes away what membership gave', () => {
    const left = { type: 'MemberLeft' as const, data: { guildId: G, userId: 'bob' } };
    given(...withMembers(), left)
      .when({ type: 'PostMessage', data: { guildId: G, channelId: 'ch1', content: 'still here?', nonce: null, replyTo: null, attachments: [] } }, meta('bob'))
      .thenRejects('guild.not_member', 403);
  });
});

describe('KickMember', () => {
  const KICK = P.kickMembers;

  it('lets the owner kick anyone but themselves', () => {
    given(...withMembers()).when(kick('bob'), meta('alice')).then({ type: 'MemberKicked', data: { guildId: G, userId: 'bob', kickedBy: 'alice' } });
    given(...withMembers()).when(kick('alice'), meta('alice')).thenRejects('member.outranked', 403);
  });

  it('lets a kicker act only on members whose top role is lower', () => {
    given(...staffed(KICK)).when(kick('carol'), meta('bob')).then({ type: 'MemberKicked', data: { guildId: G, userId: 'carol', kickedBy: 'bob' } });
    given(...staffed(KICK)).when(kick('dave'), meta('bob')).then({ type: 'MemberKicked', data: { guildId: G, userId: 'dave', kickedBy: 'bob' } });
    given(...staffed(KICK)).when(kick('alice'), meta('bob')).thenRejects('member.outranked', 403);
    // Equal rank: two holders of the same top role cannot kick each other.
    given(...staffed(KICK), ev.assigned('mod', 'carol')).when(kick('carol'), meta('bob')).thenRejects('member.outranked', 403);
  });

  it('refuses without the permission, and for non-members', () => {
    given(...staffed(0, KICK)).when(kick('dave'), meta('bob')).thenRejects('permission.kickMembers', 403);
    given(...staffed(KICK)).when(kick('zed'), meta('bob')).thenRejects('member.not_found', 404);
  });

  it('gives administrators every permission, but not rank', () => {
    given(...staffed(P.administrator)).when(kick('carol'), meta('bob')).then({ type: 'MemberKicked', data: { guildId: G, userId: 'carol', kickedBy: 'bob' } });
    given(...staffed(P.administrator)).when(kick('alice'), meta('bob')).thenRejects('member.outranked', 403);
  });
});

describe('BanMember and UnbanMember', () => {
  const BAN = P.banMembers;

  it('bans a lower member, or a non-member pre-emptively', () => {
    given(...staffed(BAN)).when(ban('carol'), meta('bob')).then({ type: 'MemberBanned', data: { guildId: G, userId: 'carol', bannedBy: 'bob', reason: 'spam' } });
    given(...staffed(BAN)).when(ban('stranger'), meta('bob')).then({ type: 'MemberBanned', data: { guildId: G, userId: 'stranger', bannedBy: 'bob', reason: 'spam' } });
  });

  it('refuses the owner, oneself, a higher member, a repeat, and no permission', () => {
    given(...staffed(BAN)).when(ban('alice'), meta('bob')).thenRejects('member.outranked', 403);
    given(...staffed(BAN)).when(ban('bob'), meta('bob')).thenRejects('member.outranked', 403);
    given(...staffed(BAN, BAN)).when(ban('bob'), meta('carol')).thenRejects('member.outranked', 403);
    given(...staffed(BAN), ev.banned('zed')).when(ban('zed'), meta('bob')).thenRejects('member.already_banned', 409);
    given(...staffed(0)).when(ban('dave'), meta('bob')).thenRejects('permission.banMembers', 403);
  });

  it('unbans only the banned', () => {
    const unban = (userId: string) => ({ type: 'UnbanMember' as const, data: { guildId: G, userId } });
    given(...staffed(BAN), ev.banned('zed')).when(unban('zed'), meta('bob')).then({ type: 'MemberUnbanned', data: { guildId: G, userId: 'zed', unbannedBy: 'bob' } });
    given(...staffed(BAN)).when(unban('zed'), meta('bob')).thenRejects('ban.not_found', 404);
    given(...staffed(0), ev.banned('zed')).when(unban('zed'), meta('bob')).thenRejects('permission.banMembers', 403);
  });
});

describe('SetNickname', () => {
  const nick = (userId: string, nickname: string | null) => ({ type: 'SetNickname' as const, data: { guildId: G, userId, nickname } });

  it('lets members set or clear their own nickname', () => {
    given(...withMembers()).when(nick('bob', 'Bobby'), meta('bob')).then({ type: 'NicknameChanged', data: { guildId: G, userId: 'bob', nickname: 'Bobby' } });
    given(...withMembers()).when(nick('bob', null), meta('bob')).then({ type: 'NicknameChanged', data: { guildId: G, userId: 'bob', nickname: null } });
  });

  it("lets manageGuild holders rename lower members only", () => {
    given(...staffed(P.manageGuild)).when(nick('carol', 'C'), meta('bob')).then({ type: 'NicknameChanged', data: { guildId: G, userId: 'carol', nickname: 'C' } });
    given(...staffed(P.manageGuild)).when(nick('alice', 'A'), meta('bob')).thenRejects('member.outranked', 403);
    given(...staffed(0)).when(nick('carol', 'C'), meta('bob')).thenRejects('permission.manageGuild', 403);
  });
});
