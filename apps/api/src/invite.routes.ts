import { INVITE_CODE_PATTERN } from '@parley/domain';
import { findInvite, PROJECTIONS, snapshot, type InviteRow } from '@parley/read-model';
import { HttpError } from './http.ts';
import type { Route } from './routes.ts';

/** Why JoinGuild would refuse the invite, with the decider's own code; null when it is usable. */
function unusableBecause(invite: InviteRow, now: number): string | null {
  if (invite.revoked) return 'invite.revoked';
  if (invite.expiresAt !== null && invite.expiresAt.getTime() <= now) return 'invite.expired';
  if (invite.maxUses !== null && invite.uses >= invite.maxUses) return 'invite.used_up';
  return null;
}

/**
 * An invite's preview, for any signed-in user, before joining: which guild
 * it leads to and whether it still works. It shows no more than the invite
 * itself reveals once used; unknown codes and deleted guilds are 404 alike.
 */
export const INVITE_ROUTES: Route[] = [
  {
    pattern: /^\/v1\/invites\/([^/]+)$/,
    handle: async ({ em }, [code]) => {
      if (!INVITE_CODE_PATTERN.test(code!)) throw new HttpError(400, 'path.invalid_code', `invite codes match ${INVITE_CODE_PATTERN.source}`);
      return snapshot(em, PROJECTIONS.guilds, async (tx) => {
        const found = await findInvite(tx, code!);
        if (!found) throw new HttpError(404, 'invite.not_found', 'no such invite');
        const { invite, guild } = found;
        const reason = unusableBecause(invite, Date.now());
        return { code, guildId: guild.id, name: guild.name, iconId: guild.iconId, memberCount: guild.memberCount, usable: reason === null, reason };
      });
    },
  },
];
