import type { Codec } from '@parley/contracts';
import type { EventLog } from '@parley/event-store';
import { newId, type Logger, type Names } from '@parley/platform';
import { guildsOfUser, membersAmong, PROJECTIONS, readyGuilds, snapshot, type MikroORM } from '@parley/read-model';
import type { JoinResult, LiveHub } from './live-hub.ts';
import { Semaphore } from './limits.ts';
import { sendBounded } from './pacing.ts';
import type { Presence } from './presence.ts';
import { errorFrame, eventPayload, MAX_GUILDS_PER_CONNECTION, REPLAY_PAGE, type Cursors } from './protocol.ts';
import type { Socket } from './socket.ts';
import type { UserFeed } from './user-feed.ts';

export type SessionDeps = {
  eventLog: EventLog;
  codec: Codec;
  names: Names;
  orm: MikroORM;
  hub: LiveHub;
  feed: UserFeed;
  presence: Presence;
  logger: Logger;
  /** The socket buffer limit: a replay page stays well under it. */
  maxBackpressureBytes: number;
};

/** Catch-ups of one resume that run at once: enough to overlap round trips, few enough to spare the log. */
const PARALLEL_CATCH_UPS = 8;

/** Channel replays reading the log at once on a node; more wait their turn (each opens a consumer). */
const PARALLEL_REPLAYS = 16;

/** How long a resume waits for the guilds read model to reach the log position it started from. */
const READ_MODEL_WAIT_MS = 2000;

/** How long the log's bounds are reused before they are read again. */
const BOUNDS_TTL_MS = 1000;

/**
 * Starting and resuming sessions, and the per-guild subscriptions within
 * them. A session's state lives in the client (its cursors) and in the log,
 * never in a node: `ready` stamps a snapshot with the cursor it reflects
 * and catches every guild up from it; `resume` catches every guild up from
 * the client's own cursors, on whichever node it reaches (promise 3).
 */
export function createSessions(deps: SessionDeps) {
  const { hub, feed, logger } = deps;
  let bounds: { at: number; epoch: string; firstSeq: number; lastSeq: number } | undefined;
  const replays = new Semaphore(PARALLEL_REPLAYS);

  /** Whether the log no longer holds every event after `cursor` (its oldest ones are gone). */
  const gone = (cursor: number, log: { firstSeq: number }) => cursor < log.firstSeq - 1;

  /** The log's epoch and bounds; read again when older than a second or when a cursor lies past them. */
  async function logBounds(atLeast = 0, epoch?: string) {
    const stale = !bounds || Date.now() - bounds.at > BOUNDS_TTL_MS || bounds.lastSeq < atLeast || (epoch !== undefined && epoch !== bounds.epoch);
    if (stale) bounds = { at: Date.now(), ...(await deps.eventLog.info()) };
    return bounds!;
  }

  /**
   * Answers a guild's catch-up that did not succeed (one that did was
   * answered with `subscribed` by the hub). Returns the number of events replayed.
   */
  function report(ws: Socket, guildId: string, result: JoinResult): number {
    const data = ws.getUserData();
    if (result.ok) return result.replayed;
    if (data.closed) return 0;
    if (result.reason === 'forbidden') ws.send(JSON.stringify({ op: 'unsubscribed', guildId, reason: 'access_lost' }));
    else if (result.reason !== 'closed') ws.send(JSON.stringify({ op: 'resync', guildId, reason: result.reason, message: RESYNC_MESSAGES[result.reason] }));
    return 0;
  }

  async function catchUpAll(ws: Socket, cursors: Map<string, number>, lastInLog: number): Promise<number> {
    const queue = [...cursors];
    let replayed = 0;
    const worker = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const [guildId, after] = next;
        replayed += report(ws, guildId, await hub.join(ws, guildId, after, lastInLog));
      }
    };
    await Promise.all(Array.from({ length: PARALLEL_CATCH_UPS }, worker));
    return replayed;
  }

  async function openFeed(ws: Socket, after: number | null, lastInLog: number): Promise<Awaited<ReturnType<UserFeed['open']>>> {
    const opened = await feed.open(ws, after, lastInLog);
    if (opened.ok) ws.getUserData().onUserFeed = true;
    return opened;
  }

  /**
   * The user's guilds from the read model once it has caught up with the log
   * position the resume started from (a guild joined just before must not be
   * missed), waiting at most a couple of seconds for a lagging projection.
   */
  async function guildsAsOf(userId: string, position: number) {
    const deadline = Date.now() + READ_MODEL_WAIT_MS;
    for (;;) {
      const read = await snapshot(deps.orm.em.fork(), PROJECTIONS.guilds, (em) => guildsOfUser(em, userId));
      if (read.cursor >= position || Date.now() > deadline) return read.data;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Best effort: without the presence bucket the session still works. */
  async function presenceOf(guildIds: string[]): Promise<Record<string, string>> {
    const online = await deps.presence.snapshot().catch((error: unknown) => {
      logger.warn({ err: error }, 'presence snapshot failed');
      return new Map<string, string>();
    });
    const members = await membersAmong(deps.orm.em.fork(), guildIds, [...online.keys()]);
    return Object.fromEntries([...members].map((userId) => [userId, online.get(userId)!]));
  }

  return {
    /**
     * A new session: `ready` with the user's guilds at a snapshot cursor,
     * then whatever happened since that cursor, then live events.
     */
    async start(ws: Socket): Promise<void> {
      const data = ws.getUserData();
      data.session = `${data.userId}.${newId()}`;
      const ready = await snapshot(deps.orm.em.fork(), PROJECTIONS.guilds, (em) => readyGuilds(em, data.userId));
      const { epoch, lastSeq } = await logBounds(ready.cursor);
      const presence = await presenceOf(ready.data.map((guild) => guild.id));
      if (data.closed) return;
      ws.send(JSON.stringify({ op: 'ready', session: data.session, epoch, cursor: ready.cursor, userId: data.userId, guilds: ready.data, presence }));
      const opened = await openFeed(ws, ready.cursor, lastSeq);
      if (!opened.ok && opened.reason !== 'closed') throw new Error(`the user stream could not be caught up from the snapshot: ${opened.reason}`);
      const watched = ready.data.slice(0, MAX_GUILDS_PER_CONNECTION);
      await catchUpAll(ws, new Map(watched.map((guild) => [guild.id, ready.cursor])), lastSeq);
      for (const guild of ready.data.slice(MAX_GUILDS_PER_CONNECTION)) {
        if (!data.closed) ws.send(JSON.stringify({ op: 'resync', guildId: guild.id, reason: 'limit', message: RESYNC_MESSAGES.limit }));
      }
      if (!data.closed) await deps.presence.set(ws, 'online');
    },

    /**
     * Whether a resume can go ahead for this user: its session is theirs, its
     * epoch is the log's, its cursors lie within the log. Checked before the
     * socket becomes a session, so an `invalid_session` leaves it free to
     * identify instead.
     */
    async check(userId: string, session: string, epoch: string, cursors: Cursors): Promise<{ reason: string; message: string } | null> {
      if (!session.startsWith(`${userId}.`)) return { reason: 'another_user', message: 'this session belongs to another user; identify instead' };
      const highest = Math.max(cursors.user, ...cursors.guilds.values());
      const log = await logBounds(highest, epoch);
      if (epoch !== log.epoch) return { reason: 'epoch', message: 'the event log was recreated since this session; identify and refetch' };
      if (highest > log.lastSeq) return { reason: 'unknown_cursor', message: 'a cursor lies past the end of the event log; identify and refetch' };
      if (gone(Math.min(cursors.user, ...cursors.guilds.values()), log)) return { reason: 'expired', message: 'the event log no longer holds events this old; identify and refetch' };
      return null;
    },

    /**
     * A resumed session (after `check`): each named stream from its cursor;
     * guilds the user is in but did not name are answered with `resync`
     * (fetch, then subscribe with a cursor). Ends with `resumed`.
     */
    async resume(ws: Socket, session: string, epoch: string, cursors: Cursors): Promise<void> {
      const data = ws.getUserData();
      data.session = session;
      const highest = Math.max(cursors.user, ...cursors.guilds.values());
      const { lastSeq } = await logBounds(highest);
      const opened = await openFeed(ws, cursors.user, lastSeq);
      if (!opened.ok) {
        if (opened.reason === 'closed') return;
        // The user's own stream cannot be caught up: live from now, and the client refetches its profile and read states.
        await openFeed(ws, null, lastSeq);
        ws.send(JSON.stringify({ op: 'resync', guildId: null, stream: `user:${data.userId}`, reason: opened.reason, message: USER_RESYNC_MESSAGE }));
      }
      const replayed = (opened.ok ? opened.replayed : 0) + (await catchUpAll(ws, cursors.guilds, lastSeq));
      const current = await guildsAsOf(data.userId, lastSeq);
      for (const guild of current) {
        if (!cursors.guilds.has(guild.id) && !data.closed) ws.send(JSON.stringify({ op: 'resync', guildId: guild.id, reason: 'not_named', message: RESYNC_MESSAGES.not_named }));
      }
      if (data.closed) return;
      await deps.presence.set(ws, 'online');
      ws.send(JSON.stringify({ op: 'resumed', session, epoch, replayed }));
    },

    /** Watches one more guild, from a cursor (replaying what the client missed) or from now. */
    async subscribe(ws: Socket, guildId: string, after: number | null): Promise<void> {
      const data = ws.getUserData();
      if (!data.guilds.has(guildId) && data.guilds.size >= MAX_GUILDS_PER_CONNECTION) {
        ws.send(errorFrame('subscribe.limit', `at most ${MAX_GUILDS_PER_CONNECTION} guilds per connection`));
        return;
      }
      const log = await logBounds(after ?? 0);
      if (after !== null && gone(after, log)) {
        report(ws, guildId, { ok: false, reason: 'expired' });
        return;
      }
      const result = await hub.join(ws, guildId, after, log.lastSeq);
      if (data.closed) return;
      if (!result.ok && result.reason === 'forbidden') ws.send(errorFrame('subscribe.forbidden', `you are not a member of guild ${guildId}`));
      else report(ws, guildId, result);
    },

    unsubscribe(ws: Socket, guildId: string): void {
      if (!ws.getUserData().guilds.has(guildId)) {
        ws.send(errorFrame('unsubscribe.not_subscribed', `this connection does not watch guild ${guildId}`));
        return;
      }
      hub.leave(ws, guildId);
      ws.send(JSON.stringify({ op: 'unsubscribed', guildId, reason: 'requested' }));
    },

    /**
     * One page of a channel's events between two cursors, from the log; the
     * client pages on with `next`. A socket's replays are answered one after
     * another, so asking for many at once only queues them.
     */
    replay(ws: Socket, id: string, guildId: string, channelId: string, after: number, until: number | null): Promise<void> {
      const data = ws.getUserData();
      return data.replays.run(async () => (data.closed ? undefined : replays.with(() => replayPage(ws, id, guildId, channelId, after, until))));
    },
  };

  async function replayPage(ws: Socket, id: string, guildId: string, channelId: string, after: number, until: number | null): Promise<void> {
    const data = ws.getUserData();
    if (!data.guilds.get(guildId)?.has(channelId)) {
      ws.send(errorFrame('replay.forbidden', `subscribe to guild ${guildId} first; channel ${channelId} must be one you may view`, id));
      return;
    }
    const log = await logBounds(until ?? 0);
    if (gone(after, log)) {
      ws.send(JSON.stringify({ op: 'resync', guildId, channelId, reason: 'expired', message: RESYNC_MESSAGES.expired, id }));
      return;
    }
    // A page ends at REPLAY_PAGE events or a quarter of the socket's buffer limit, whichever comes first.
    const events = [];
    let bytes = 0;
    let full = false;
    const upTo = Math.min(until ?? log.lastSeq, log.lastSeq);
    for await (const { seq, data: raw } of deps.eventLog.read(deps.names.channelSubject(guildId, channelId), after, upTo)) {
      const event = eventPayload(seq, deps.codec.decodeEvent(raw));
      events.push(event);
      bytes += raw.length * 2;
      full = events.length === REPLAY_PAGE || bytes > deps.maxBackpressureBytes / 4;
      if (full) break;
    }
    const next = full ? events[events.length - 1]!.cursor : null;
    if (!data.closed) sendBounded(ws, JSON.stringify({ op: 'replayed', id, guildId, channelId, after, until: upTo, events, next }), deps.maxBackpressureBytes);
  }
}

const USER_RESYNC_MESSAGE = 'your own stream could not be caught up from your cursor; it is live from now: refetch your profile and read states over HTTP';

const RESYNC_MESSAGES: Record<string, string> = {
  too_far: 'too much happened since this cursor to replay; refetch the guild over HTTP, then subscribe with its cursor',
  unknown_cursor: 'this cursor lies past the end of the event log; refetch the guild over HTTP, then subscribe with its cursor',
  behind: 'this node could not catch up to your cursor in time; subscribe again with the same cursor',
  expired: 'the event log no longer holds events this old; refetch over HTTP, then subscribe with its cursor',
  not_named: 'you are a member of this guild but the resume did not name it; fetch it over HTTP, then subscribe with its cursor',
  limit: `a connection watches at most ${MAX_GUILDS_PER_CONNECTION} guilds; unsubscribe from one to subscribe to this one`,
};
