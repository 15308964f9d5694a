import { channelHistory, findChannel, loadGuildAccess, PROJECTIONS, snapshot } from '@parley/read-model';
import { canView } from './access.ts';
import { cursorParam, HttpError, limitParam } from './http.ts';
import type { Route } from './routes.ts';

export const CHANNEL_ROUTES: Route[] = [
  {
    pattern: /^\/v1\/channels\/([^/]+)\/messages$/,
    handle: async ({ em, userId, params }, [channelId]) => {
      const page = { before: cursorParam(params, 'before'), after: cursorParam(params, 'after'), limit: limitParam(params, 50, 100) };
      // Whoever may not view the channel (not a member, kicked, banned, hidden by an overwrite,
      // the guild deleted) gets the answer for a channel that does not exist.
      const channel = await findChannel(em, channelId!);
      const state = channel && (await loadGuildAccess(em, channel.guildId, userId));
      if (!state || !canView(state, userId, channelId!)) throw new HttpError(404, 'channel.not_found', 'no such channel');
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
