import {
  channelHistory,
  findLiveMessage,
  pinnedMessages,
  PROJECTIONS,
  reactionUsers,
  snapshot,
  withDetails,
  type EntityManager,
  type HistoryPage,
  type MessageDetails,
} from '@parley/read-model';
import { requireVisibleChannel } from './access.ts';
import { cursorParam, HttpError, limitParam, userPage } from './http.ts';
import type { Route } from './routes.ts';

function historyPage(params: URLSearchParams): HistoryPage {
  const page = {
    before: cursorParam(params, 'before'),
    after: cursorParam(params, 'after'),
    around: cursorParam(params, 'around'),
    limit: limitParam(params, 50, 100),
  };
  if (page.around !== null && (page.before !== null || page.after !== null)) {
    throw new HttpError(400, 'query.around_exclusive', 'around cannot be combined with before or after');
  }
  return page;
}

/** A message as clients see it. A deleted one is a tombstone: empty content, no mentions, no reactions, not pinned. */
function messageView(message: MessageDetails) {
  const { seq, id, authorId, content, createdAt, replyTo, editedAt, deleted, pinned, mentions, reactions, attachments } = message;
  return {
    ...{ cursor: seq, id, authorId, content, createdAt: createdAt.toISOString(), replyTo, editedAt: editedAt?.toISOString() ?? null },
    ...{ deleted, pinned, mentions, reactions, attachments },
  };
}

/**
 * Answers from one snapshot of the history projection, after checking in
 * that same snapshot that the user may view the channel (viewChannel there,
 * decided by the domain's permission functions over the guilds read model).
 */
function inVisibleChannel<T>(em: EntityManager, userId: string, channelId: string, read: (tx: EntityManager) => Promise<T>) {
  return snapshot(em, PROJECTIONS.history, async (tx) => {
    await requireVisibleChannel(tx, channelId, userId);
    return read(tx);
  });
}

/** The routes over one channel's messages. */
export const CHANNEL_ROUTES: Route[] = [
  {
    pattern: /^\/v1\/channels\/([^/]+)\/messages$/,
    handle: ({ em, userId, params }, [channelId]) => {
      const page = historyPage(params);
      return inVisibleChannel(em, userId, channelId!, async (tx) =>
        (await withDetails(tx, await channelHistory(tx, channelId!, page), userId)).map(messageView),
      );
    },
  },
  {
    pattern: /^\/v1\/channels\/([^/]+)\/pins$/,
    handle: ({ em, userId }, [channelId]) =>
      inVisibleChannel(em, userId, channelId!, async (tx) => (await withDetails(tx, await pinnedMessages(tx, channelId!), userId)).map(messageView)),
  },
  {
    // The users who reacted with one emoji, by user id; the emoji is percent-encoded.
    pattern: /^\/v1\/channels\/([^/]+)\/messages\/([^/]+)\/reactions\/([^/]+)$/,
    segments: ['id', 'id', 'emoji'],
    handle: ({ em, userId, params }, [channelId, messageId, emoji]) => {
      const page = userPage(params);
      return inVisibleChannel(em, userId, channelId!, async (tx) => {
        if (!(await findLiveMessage(tx, channelId!, messageId!))) throw new HttpError(404, 'message.not_found', 'no such message in this channel');
        return (await reactionUsers(tx, messageId!, emoji!, page)).map((id) => ({ userId: id }));
      });
    },
  },
];
