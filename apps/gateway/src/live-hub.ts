import type { Subscription } from '@nats-io/transport-node';
import type { Codec } from '@parley/contracts';
import { channelPermissions, has, isGuildEvent, isMessageEvent, PERMISSIONS, visibleChannels, type GuildEvent, type GuildState } from '@parley/domain';
import type { EventLog, StreamStates } from '@parley/event-store';
import type { Logger, Names, NatsConnection } from '@parley/platform';
import type { TemplatedApp, WebSocket } from 'uWebSockets.js';
import { LiveTail, type CatchUpFailure, type TailEvent } from './live-tail.ts';
import type { Semaphore } from './limits.ts';
import { sendEphemeral, sendReplayed, SocketClosed, type Paced, type ReplayLimits } from './pacing.ts';
import type { PresenceSignal } from './presence.ts';
import { eventFrame } from './protocol.ts';

export const guildTopic = (guildId: string) => `g/${guildId}`;
export const channelTopic = (channelId: string) => `c/${channelId}`;

/** What the hub needs of a socket's user data. */
export type Watcher = Paced & { userId: string; guilds: Map<string, Set<string>> };
type Socket = WebSocket<Watcher>;

export type HubOptions = ReplayOptions & {
  /** Buffered bytes past which ephemeral frames (typing, presence) are dropped for a socket. */
  ephemeralLimit: number;
};

export type JoinResult = { ok: true; replayed: number } | { ok: false; reason: 'forbidden' | CatchUpFailure };

/** How catch-ups replay to a socket; shared by the guild hub and the user feed. */
export type ReplayOptions = ReplayLimits & {
  /** A catch-up longer than this many events is refused with `too_far` (the client refetches instead). */
  maxReplayEvents: number;
  /** Catch-ups reading the log at once on this node (each may open a consumer); the others wait. */
  catchUps: Semaphore;
};

type Watched = {
  /** The guild's live events, in order, and the seam for catch-ups. */
  tail: LiveTail;
  /** Ephemeral signals (typing, presence) for the guild: core NATS only, never in the log. */
  signals: Subscription;
  sockets: Set<Socket>;
  /** Joins under way: the subscription must outlive them even while no socket is in yet. */
  joining: number;
};

/** Events that take access away: those who lose it still receive the event itself. */
const REVOKING = new Set(['MemberLeft', 'MemberKicked', 'MemberBanned', 'GuildDeleted', 'ChannelDeleted']);
const REASONS: Record<string, string> = { MemberLeft: 'left', MemberKicked: 'kicked', MemberBanned: 'banned', GuildDeleted: 'deleted' };

/**
 * Live events for this node's audience, filtered by what each user may see.
 *
 * The node holds one core NATS subscription per guild that at least one of
 * its sockets watches (its NATS traffic follows its own clients), and the
 * guild's state folded from the log (members, roles, overwrites), kept
 * current by the guild events it receives; a missed guild event (its `prev`
 * does not match) triggers a refresh from the log. Each socket subscribes to
 * the uWS topics of the guild and of the channels it may view; on every
 * event that can change access, those topics are recomputed, so a kicked,
 * banned or hidden user's next event is not delivered (promise 6).
 *
 * A socket joins from a cursor: what it missed is replayed from the log,
 * then it joins the live audience at the guild tail's seam (`LiveTail`), so
 * it gets every event once, in order, on any node (promise 3). Live delivery
 * is at-most-once (core NATS); every event carries its cursor and its
 * stream's previous cursor so a client can detect a gap (promise 2) and
 * catch up again.
 */
export class LiveHub {
  private readonly watched = new Map<string, Watched>();

  constructor(
    private readonly app: TemplatedApp,
    private readonly nc: NatsConnection,
    private readonly names: Names,
    private readonly codec: Codec,
    private readonly log: EventLog,
    private readonly states: StreamStates<GuildState, GuildEvent>,
    private readonly logger: Logger,
    private readonly options: HubOptions,
  ) {}

  /**
   * Adds a socket to a guild's audience if its user may see the guild. With
   * `after` (a cursor), the events since it that the user may see now are
   * replayed first; without, the socket receives what comes from now on.
   * `lastInLog` (the log's last sequence, read before) bounds a valid cursor.
   */
  async join(ws: Socket, guildId: string, after: number | null, lastInLog: number): Promise<JoinResult> {
    const data = ws.getUserData();
    const watched = this.watch(guildId);
    watched.joining += 1;
    try {
      if (data.guilds.has(guildId)) {
        if (after === null) {
          await watched.tail.run(async () => this.subscribed(ws, guildId, watched));
          return { ok: true, replayed: 0 };
        }
        // Catching up again (say, after a gap): off the live audience first, or replay and live would interleave.
        this.leave(ws, guildId);
      }
      await watched.tail.ready;
      const subject = this.names.guildSubject(guildId);
      // Inside the guild's step: `subscribed` goes out before any later live event of the guild.
      const admit = async () => {
        const { state } = await this.states.get(subject);
        if (!admissible(data, state)) return false;
        watched.sockets.add(ws);
        this.retopic(ws, guildId, state);
        this.subscribed(ws, guildId, watched);
        return true;
      };
      const forbidden = { ok: false, reason: 'forbidden' } as const;
      if (after === null) return (await watched.tail.run(admit)) ? { ok: true, replayed: 0 } : forbidden;
      // Access is decided on the guild's state as of the cursor at least (the join being caught up to
      // may be the very event that admits the user); what is replayed is what the user may see then.
      let visible = new Set<string>();
      const enter = async () => {
        const { state } = await this.states.get(subject);
        visible = visibleChannels(state, data.userId);
        return admissible(data, state);
      };
      const send = (event: TailEvent, inChain: boolean) => this.replayTo(ws, guildId, visible, event, inChain);
      const caught = await this.options.catchUps.with(() => watched.tail.catchUp(after, lastInLog, this.options.maxReplayEvents, enter, send, admit));
      if (!caught.ok) return caught.reason === 'refused' ? forbidden : { ok: false, reason: caught.reason };
      return caught.value ? { ok: true, replayed: caught.replayed } : forbidden;
    } catch (error) {
      if (error instanceof SocketClosed) return { ok: false, reason: 'closed' };
      throw error;
    } finally {
      watched.joining -= 1;
      this.release(guildId);
    }
  }

  /** Tells a socket it now receives a guild's events after the tail's position, and which channels it may view. */
  private subscribed(ws: Socket, guildId: string, watched: Watched): void {
    const channels = [...(ws.getUserData().guilds.get(guildId) ?? [])];
    ws.send(JSON.stringify({ op: 'subscribed', guildId, cursor: watched.tail.position, channels }));
  }

  /**
   * Replays one event to a socket if it belongs to this guild and the user
   * may see it now; answers whether it was sent.
   */
  private async replayTo(ws: Socket, guildId: string, visible: Set<string>, { seq, decoded }: TailEvent, inChain: boolean): Promise<boolean> {
    const { event } = decoded;
    // The guild's filter is `<ns>.evt.<guildId>.>`: anything but this guild's own events is skipped.
    if (!(isGuildEvent(event) || isMessageEvent(event)) || event.data.guildId !== guildId) return false;
    const channelId = isMessageEvent(event) ? event.data.channelId : channelOf(event);
    if (channelId !== null && !visible.has(channelId)) return false;
    await sendReplayed(ws, eventFrame(seq, decoded), inChain, this.options);
    return true;
  }

  /** Removes a socket (closing, or asked to leave); the NATS subscription goes with the last one. */
  leave(ws: Socket, guildId: string): void {
    const data = ws.getUserData();
    const channels = data.guilds.get(guildId);
    if (channels && !data.closed) {
      ws.unsubscribe(guildTopic(guildId));
      for (const channelId of channels) ws.unsubscribe(channelTopic(channelId));
    }
    this.watched.get(guildId)?.sockets.delete(ws);
    data.guilds.delete(guildId);
    this.release(guildId);
  }

  /**
   * Announces that a user is typing in a channel, to whoever may view it, on
   * every node. Allowed to members who may send messages there; a socket that
   * is not watching the guild, or lacks the permission, is refused.
   */
  async typing(ws: Socket, guildId: string, channelId: string, now: number): Promise<boolean> {
    const data = ws.getUserData();
    if (!data.guilds.get(guildId)?.has(channelId)) return false;
    const { state } = await this.states.get(this.names.guildSubject(guildId));
    if (!has(channelPermissions(state, data.userId, channelId), PERMISSIONS.sendMessages)) return false;
    const signal: TypingSignal = { kind: 'typing', userId: data.userId, channelId, until: now + TYPING_MS };
    this.nc.publish(this.names.ephemeralGuild(guildId), JSON.stringify(signal));
    return true;
  }

  /** Ephemeral signals go socket by socket, so a socket that is falling behind is skipped. */
  private signal(guildId: string, sockets: Set<Socket>, bytes: Uint8Array): void {
    try {
      const signal = JSON.parse(new TextDecoder().decode(bytes)) as TypingSignal | PresenceSignal;
      const { kind, ...fields } = signal;
      const op = { typing: 'typing', presence: 'presence', renew: 'presence_renew' }[kind];
      if (op === undefined) return;
      const frame = JSON.stringify({ op, guildId, ...fields });
      for (const ws of sockets) {
        if (signal.kind === 'typing' && !ws.getUserData().guilds.get(guildId)?.has(signal.channelId)) continue;
        sendEphemeral(ws, frame, this.options.ephemeralLimit);
      }
    } catch (error) {
      this.logger.warn({ err: error, guildId }, 'unreadable ephemeral signal');
    }
  }


  private watch(guildId: string): Watched {
    const existing = this.watched.get(guildId);
    if (existing) return existing;
    const sockets = new Set<Socket>();
    const tail = new LiveTail(this.nc, this.names.liveGuild(guildId), this.names.guildEvents(guildId), this.log, this.codec, (event) => this.deliver(guildId, watched, event), this.logger);
    const signals = this.nc.subscribe(this.names.ephemeralGuild(guildId), {
      callback: (error, message) => {
        if (!error) this.signal(guildId, sockets, message.data);
      },
    });
    const watched: Watched = { tail, signals, sockets, joining: 0 };
    this.watched.set(guildId, watched);
    return watched;
  }

  private release(guildId: string): void {
    const watched = this.watched.get(guildId);
    if (!watched || watched.sockets.size > 0 || watched.joining > 0) return;
    watched.tail.close();
    watched.signals.unsubscribe();
    this.watched.delete(guildId);
    this.states.forget(this.names.guildSubject(guildId));
  }

  private async deliver(guildId: string, watched: Watched, { seq, decoded }: TailEvent): Promise<void> {
    const event = decoded.event;
    const frame = eventFrame(seq, decoded);
    if (isMessageEvent(event)) {
      this.app.publish(channelTopic(event.data.channelId), frame);
      return;
    }
    if (!isGuildEvent(event)) return; // user streams are not on guild subjects
    const subject = this.names.guildSubject(guildId);
    if (!this.states.apply(subject, event, seq, decoded.meta.prev)) await this.states.refresh(subject);
    const { state } = await this.states.get(subject);
    // Access first, then the topic publish: whoever loses access here is off the topic before the
    // publish, and gets a revoking event (their kick, the channel's deletion) directly, once.
    const farewell = REVOKING.has(event.type) ? { frame, reason: REASONS[event.type] ?? 'access_lost', channelId: channelOf(event) } : undefined;
    for (const ws of [...watched.sockets]) this.retopic(ws, guildId, state, farewell);
    this.publish(event, frame);
    this.release(guildId);
  }

  private publish(event: GuildEvent, frame: string): void {
    const channelId = channelOf(event);
    this.app.publish(channelId === null ? guildTopic(event.data.guildId) : channelTopic(channelId), frame);
  }

  /** Aligns a socket's topics with what its user may see now; tells it when that changed. */
  private retopic(ws: Socket, guildId: string, state: GuildState, farewell?: Farewell): void {
    const data = ws.getUserData();
    if (data.closed) return;
    const before = data.guilds.get(guildId);
    if (!state.members.has(data.userId) || state.deleted) {
      if (!before) return;
      ws.unsubscribe(guildTopic(guildId));
      for (const channelId of before) ws.unsubscribe(channelTopic(channelId));
      this.watched.get(guildId)?.sockets.delete(ws);
      data.guilds.delete(guildId);
      ws.cork(() => {
        if (farewell) ws.send(farewell.frame);
        ws.send(JSON.stringify({ op: 'unsubscribed', guildId, reason: farewell?.reason ?? 'access_lost' }));
      });
      return;
    }
    const visible = visibleChannels(state, data.userId);
    if (!before) ws.subscribe(guildTopic(guildId));
    for (const channelId of before ?? []) {
      if (visible.has(channelId)) continue;
      ws.unsubscribe(channelTopic(channelId));
      if (farewell?.channelId === channelId) ws.send(farewell.frame);
    }
    for (const channelId of visible) if (!before?.has(channelId)) ws.subscribe(channelTopic(channelId));
    data.guilds.set(guildId, visible);
    const changed = before !== undefined && (before.size !== visible.size || [...visible].some((id) => !before.has(id)));
    if (changed) ws.send(JSON.stringify({ op: 'channels', guildId, visible: [...visible] }));
  }
}

/** How long a typing indicator lasts unless renewed; clients hide it at `until`. */
export const TYPING_MS = 10_000;
type TypingSignal = { kind: 'typing'; userId: string; channelId: string; until: number };

type Farewell = { frame: string; reason: string; channelId: string | null };

const channelOf = (event: GuildEvent): string | null => ('channelId' in event.data ? event.data.channelId : null);

const admissible = (data: Watcher, state: GuildState): boolean => !data.closed && state.members.has(data.userId) && !state.deleted;
