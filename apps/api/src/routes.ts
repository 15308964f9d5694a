import { isId } from '@parley/domain';
import {
  channelHistory,
  channelsOfGuild,
  findChannel,
  guildsOfUser,
  isMember,
  membersOfGuild,
  PROJECTIONS,
  snapshot,
  type EntityManager,
} from '@parley/read-model';
import { cursorParam, HttpError, limitParam } from './http.ts';

export type Query = { userId: string; params: URLSearchParams; em: EntityManager };
export type Route = { pattern: RegExp; handle(query: Query, ids: string[]): Promise<unknown> };

async function requireMember(em: EntityManager, guildId: string, userId: string): Promise<void> {
  // Not a member and no such guild answer the same, so ids of other guilds reveal nothing.
  if (!(await isMember(em, guildId, userId))) throw new HttpError(404, 'guild.not_found', 'no such guild');
}

/**
 * Read-only queries over the read models. Every answer is
 * `{ cursor, data }`: the event log cursor the data reflects (promise 4).
 */
export const ROUTES: Route[] = [
  {
    pattern: /^\/v1\/guilds$/,
    handle: ({ em, userId }) =>
      snapshot(em, PROJECTIONS.guilds, async (tx) =>
        (await guildsOfUser(tx, userId)).map(({ id, name, ownerId, memberCount }) => ({ id, name, ownerId, memberCount })),
      ),
  },
  {
    pattern: /^\/v1\/guilds\/([^/]+)\/channels$/,
    handle: ({ em, userId }, [guildId]) =>
      snapshot(em, PROJECTIONS.guilds, async (tx) => {
        await requireMember(tx, guildId!, userId);
        return (await channelsOfGuild(tx, guildId!)).map(({ id, name, categoryId, position }) => ({ id, name, categoryId, position }));
      }),
  },
  {
    pattern: /^\/v1\/guilds\/([^/]+)\/members$/,
    handle: ({ em, userId, params }, [guildId]) =>
      snapshot(em, PROJECTIONS.guilds, async (tx) => {
        await requireMember(tx, guildId!, userId);
        const after = params.get('after');
        if (after !== null && !isId(after)) throw new HttpError(400, 'query.invalid_after', 'after must be a user id');
        const rows = await membersOfGuild(tx, guildId!, { after, limit: limitParam(params, 100, 1000) });
        return rows.map(({ userId: id, joinedAt }) => ({ userId: id, joinedAt: joinedAt.toISOString() }));
      }),
  },
  {
    pattern: /^\/v1\/channels\/([^/]+)\/messages$/,
    handle: async ({ em, userId, params }, [channelId]) => {
      const page = { before: cursorParam(params, 'before'), after: cursorParam(params, 'after'), limit: limitParam(params, 50, 100) };
      const channel = await findChannel(em, channelId!);
      if (!channel || !(await isMember(em, channel.guildId, userId))) throw new HttpError(404, 'channel.not_found', 'no such channel');
      return snapshot(em, PROJECTIONS.history, async (tx) =>
        (await channelHistory(tx, channelId!, page)).map(({ seq, id, authorId, content, createdAt }) => ({
          cursor: seq,
          id,
          authorId,
          content,
          createdAt: createdAt.toISOString(),
        })),
      );
    },
  },
];

export function matchRoute(path: string): { route: Route; ids: string[] } | null {
  for (const route of ROUTES) {
    const match = route.pattern.exec(path);
    if (!match) continue;
    const ids = match.slice(1).map(decodeURIComponent);
    if (!ids.every(isId)) throw new HttpError(400, 'path.invalid_id', 'ids in the path must match [A-Za-z0-9_-]{1,64}');
    return { route, ids };
  }
  return null;
}
