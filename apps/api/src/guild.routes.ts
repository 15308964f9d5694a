import {
  bansOfGuild,
  channelsOfGuild,
  findGuild,
  guildsOfUser,
  invitesOfGuild,
  isMember,
  membersOfGuild,
  PROJECTIONS,
  readStatesOfGuild,
  rolesOfMembers,
  snapshot,
  type EntityManager,
} from '@parley/read-model';
import { canView, guildFor, requirePermission } from './access.ts';
import { HttpError, userPage } from './http.ts';
import { guildOverview } from './overview.ts';
import type { Route } from './routes.ts';

async function requireMember(em: EntityManager, guildId: string, userId: string): Promise<void> {
  if (!(await isMember(em, guildId, userId))) throw new HttpError(404, 'guild.not_found', 'no such guild');
}

const guilds = PROJECTIONS.guilds;

/** The guild routes, all answered from one snapshot of the guilds projection. */
export const GUILD_ROUTES: Route[] = [
  {
    pattern: /^\/v1\/guilds$/,
    handle: ({ em, userId }) =>
      snapshot(em, guilds, async (tx) =>
        (await guildsOfUser(tx, userId)).map(({ id, name, ownerId, memberCount }) => ({ id, name, ownerId, memberCount })),
      ),
  },
  {
    pattern: /^\/v1\/guilds\/([^/]+)$/,
    handle: ({ em, userId }, [guildId]) =>
      snapshot(em, guilds, async (tx) => {
        const state = await guildFor(tx, guildId!, userId);
        return guildOverview(state, userId, (await findGuild(tx, guildId!))!.memberCount);
      }),
  },
  {
    pattern: /^\/v1\/guilds\/([^/]+)\/channels$/,
    handle: ({ em, userId }, [guildId]) =>
      snapshot(em, guilds, async (tx) => {
        const state = await guildFor(tx, guildId!, userId);
        return (await channelsOfGuild(tx, guildId!))
          .filter(({ id }) => canView(state, userId, id))
          .map(({ id, name, topic, categoryId, position }) => ({ id, name, topic, categoryId, position }));
      }),
  },
  {
    pattern: /^\/v1\/guilds\/([^/]+)\/read-states$/,
    // Counts join messages and read markers: the cursor is the least advanced of the three projections.
    handle: ({ em, userId }, [guildId]) =>
      snapshot(em, [guilds, PROJECTIONS.history, PROJECTIONS.users], async (tx) => {
        const state = await guildFor(tx, guildId!, userId);
        return (await readStatesOfGuild(tx, guildId!, userId)).filter(({ channelId }) => canView(state, userId, channelId));
      }),
  },
  {
    pattern: /^\/v1\/guilds\/([^/]+)\/members$/,
    handle: ({ em, userId, params }, [guildId]) =>
      snapshot(em, guilds, async (tx) => {
        await requireMember(tx, guildId!, userId);
        const rows = await membersOfGuild(tx, guildId!, userPage(params));
        const roles = await rolesOfMembers(tx, guildId!, rows.map((row) => row.userId));
        return rows.map(({ userId: id, nickname, joinedAt }) => ({ userId: id, nickname, roleIds: roles.get(id)!.sort(), joinedAt: joinedAt.toISOString() }));
      }),
  },
  {
    pattern: /^\/v1\/guilds\/([^/]+)\/invites$/,
    handle: ({ em, userId }, [guildId]) =>
      snapshot(em, guilds, async (tx) => {
        requirePermission(await guildFor(tx, guildId!, userId), userId, 'manageGuild');
        return (await invitesOfGuild(tx, guildId!)).map(({ code, channelId, createdBy, uses, maxUses, expiresAt, revoked }) => ({
          ...{ code, channelId, createdBy, uses, maxUses, revoked },
          expiresAt: expiresAt?.toISOString() ?? null,
        }));
      }),
  },
  {
    pattern: /^\/v1\/guilds\/([^/]+)\/bans$/,
    handle: ({ em, userId, params }, [guildId]) =>
      snapshot(em, guilds, async (tx) => {
        requirePermission(await guildFor(tx, guildId!, userId), userId, 'banMembers');
        return (await bansOfGuild(tx, guildId!, userPage(params))).map(({ userId: id, bannedBy, reason, bannedAt }) => ({
          ...{ userId: id, bannedBy, reason },
          bannedAt: bannedAt.toISOString(),
        }));
      }),
  },
];
