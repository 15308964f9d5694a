import type { Codec, DecodedEvent } from '@parley/contracts';
import type { EventLog } from '@parley/event-store';
import type { Logger, Names, NatsConnection } from '@parley/platform';
import type { TemplatedApp, WebSocket } from 'uWebSockets.js';
import type { ReplayOptions } from './live-hub.ts';
import { LiveTail, type CatchUpFailure } from './live-tail.ts';
import { sendReplayed, SocketClosed, type Paced } from './pacing.ts';
import { eventFrame } from './protocol.ts';

export const userTopic = (userId: string) => `u/${userId}`;

type Feed = { tail: LiveTail; sockets: number };

/**
 * Each connected user's own stream (account, sessions, read markers), live
 * to all of that user's sockets on this node: one tail per user with at
 * least one socket here. Events carry cursors like any other, so a session
 * learns what another one did; a socket joins from a cursor like it joins a
 * guild (replay, then live, through `LiveTail`).
 */
export class UserFeed {
  private readonly users = new Map<string, Feed>();

  constructor(
    private readonly app: TemplatedApp,
    private readonly nc: NatsConnection,
    private readonly names: Names,
    private readonly codec: Codec,
    private readonly log: EventLog,
    private readonly logger: Logger,
    private readonly options: ReplayOptions,
    /** Called for every event of a watched user's stream relayed to a socket, live or replayed. */
    private readonly onEvent: (userId: string, decoded: DecodedEvent) => void = () => undefined,
  ) {}

  /**
   * Puts a socket on its user's stream: from `after` (replaying what it
   * missed) or from now (`null`). Each successful open needs one `close`.
   */
  async open(ws: WebSocket<Paced & { userId: string }>, after: number | null, lastInLog: number): Promise<{ ok: true; replayed: number } | { ok: false; reason: CatchUpFailure }> {
    const { userId } = ws.getUserData();
    const feed = this.feed(userId);
    const admit = async () => {
      if (!ws.getUserData().closed) ws.subscribe(userTopic(userId));
    };
    try {
      if (after === null) {
        await feed.tail.ready;
        await feed.tail.run(admit);
        return { ok: true, replayed: 0 };
      }
      const send = async ({ seq, decoded }: { seq: number; decoded: DecodedEvent }, inChain: boolean) => {
        await sendReplayed(ws, eventFrame(seq, decoded), inChain, this.options);
        // Replayed like live: a revocation found in the catch-up ends the sessions it names.
        this.onEvent(userId, decoded);
        return true;
      };
      const caught = await this.options.catchUps.with(() => feed.tail.catchUp(after, lastInLog, this.options.maxReplayEvents, async () => true, send, admit));
      if (caught.ok) return caught;
      this.close(userId);
      return caught;
    } catch (error) {
      this.close(userId);
      if (error instanceof SocketClosed) return { ok: false, reason: 'closed' };
      throw error;
    }
  }

  close(userId: string): void {
    const feed = this.users.get(userId);
    if (!feed || --feed.sockets > 0) return;
    feed.tail.close();
    this.users.delete(userId);
  }

  private feed(userId: string): Feed {
    const existing = this.users.get(userId);
    if (existing) {
      existing.sockets += 1;
      return existing;
    }
    const onLive = ({ seq, decoded }: { seq: number; decoded: DecodedEvent }) => {
      this.app.publish(userTopic(userId), eventFrame(seq, decoded));
      this.onEvent(userId, decoded);
    };
    const tail = new LiveTail(this.nc, this.names.liveUser(userId), this.names.userSubject(userId), this.log, this.codec, onLive, this.logger);
    const feed = { tail, sockets: 1 };
    this.users.set(userId, feed);
    return feed;
  }
}
