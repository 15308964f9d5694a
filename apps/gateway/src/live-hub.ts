import type { Msg, Subscription } from '@nats-io/transport-node';
import type { Codec } from '@parley/contracts';
import { channelPermissions, has, isGuildEvent, isMessageEvent, PERMISSIONS, visibleChannels, type GuildEvent, type GuildState } from '@parley/domain';
import type { StreamStates } from '@parley/event-store';
import type { Logger, Names, NatsConnection } from '@parley/platform';
import type { TemplatedApp, WebSocket } from 'uWebSockets.js';
import type { PresenceSignal } from './presence.ts';
import { eventPayload } from './protocol.ts';

export const guildTopic = (guildId: string) => `g/${guildId}`;
export const channelTopic = (channelId: string) => `c/${channelId}`;

/** What the hub needs of a socket's user data. */
export type Watcher = { userId: string; closed: boolean; guilds: Map<string, Set<string>> };
type Socket = WebSocket<Watcher>;

type Watched = {
  subscription: Subscription;
  /** Ephemeral signals (typing) for the guild: core NATS only, never in the log. */
  signals: Subscription;
  sockets: Set<Socket>;
  /** Joins under way: the subscription must outlive them even while no socket is in yet. */
  joining: number;
  /** Live events and joins for one guild run one after another, in arrival order. */
  chain: Promise<unknown>;
  /** Resolves once the server has the subscription. */
  ready: Promise<void>;
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
 * Delivery is at-most-once (core NATS); every event carries its cursor and
 * its stream's previous cursor so a client can detect a gap (promise 2).
 */
export class LiveHub {
  private readonly watched = new Map<string, Watched>();

  constructor(
    private readonly app: TemplatedApp,
    private readonly nc: NatsConnection,
    private readonly names: Names,
    private readonly codec: Codec,
    private readonly states: StreamStates<GuildState, GuildEvent>,
    private readonly logger: Logger,
  ) {}

  /**
   * Adds a socket to a guild's audience if its user is a member, once the
   * node's state has folded at least up to `atLeast` (e.g. the join's own
   * cursor). Resolves false when the user may not see the guild.
   */
  async join(ws: Socket, guildId: string, atLeast = 0): Promise<boolean> {
    const watched = this.watch(guildId);
    watched.joining += 1;
    try {
      await watched.ready;
      return await this.enqueue(guildId, watched, async () => {
        const subject = this.names.guildSubject(guildId);
        let entry = await this.states.get(subject);
        if (entry.version < atLeast) entry = await this.states.refresh(subject);
        const data = ws.getUserData();
        if (data.closed || !entry.state.members.has(data.userId) || entry.state.deleted) return false;
        watched.sockets.add(ws);
        this.retopic(ws, guildId, entry.state);
        return true;
      });
    } finally {
      watched.joining -= 1;
      this.release(guildId);
    }
  }

  /** Removes a socket (closing, or asked to leave); the NATS subscription goes with the last one. */
  leave(ws: Socket, guildId: string): void {
    this.watched.get(guildId)?.sockets.delete(ws);
    ws.getUserData().guilds.delete(guildId);
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

  private signal(guildId: string, bytes: Uint8Array): void {
    try {
      const signal = JSON.parse(new TextDecoder().decode(bytes)) as TypingSignal | PresenceSignal;
      const { kind, ...fields } = signal;
      if (kind === 'typing') this.app.publish(channelTopic(signal.channelId), JSON.stringify({ op: 'typing', guildId, ...fields }));
      else if (kind === 'presence') this.app.publish(guildTopic(guildId), JSON.stringify({ op: 'presence', guildId, ...fields }));
    } catch (error) {
      this.logger.warn({ err: error, guildId }, 'unreadable ephemeral signal');
    }
  }

  /** Members of a guild this node watches, from its folded state. */
  async members(guildId: string): Promise<Iterable<string>> {
    return (await this.states.get(this.names.guildSubject(guildId))).state.members.keys();
  }

  get watchedGuilds(): number {
    return this.watched.size;
  }

  private watch(guildId: string): Watched {
    const existing = this.watched.get(guildId);
    if (existing) return existing;
    const subscription = this.nc.subscribe(this.names.liveGuild(guildId), {
      callback: (error, message) => {
        if (error) return this.logger.warn({ err: error, guildId }, 'live subscription error');
        this.enqueue(guildId, watched, () => this.deliver(guildId, watched, message)).catch((failure: unknown) =>
          this.logger.error({ err: failure, subject: message.subject }, 'undeliverable live event'),
        );
      },
    });
    const signals = this.nc.subscribe(this.names.ephemeralGuild(guildId), {
      callback: (error, message) => {
        if (!error) this.signal(guildId, message.data);
      },
    });
    // Subscribed before any state is read: nothing falls between the two.
    const watched = { subscription, signals, sockets: new Set<Socket>(), joining: 0, chain: Promise.resolve() as Promise<unknown>, ready: this.nc.flush() };
    this.watched.set(guildId, watched);
    return watched;
  }

  private release(guildId: string): void {
    const watched = this.watched.get(guildId);
    if (!watched || watched.sockets.size > 0 || watched.joining > 0) return;
    watched.subscription.unsubscribe();
    watched.signals.unsubscribe();
    this.watched.delete(guildId);
    this.states.forget(this.names.guildSubject(guildId));
  }

  private enqueue<T>(guildId: string, watched: Watched, step: () => Promise<T>): Promise<T> {
    const next = watched.chain.then(step);
    watched.chain = next.catch(() => undefined);
    return next;
  }

  private async deliver(guildId: string, watched: Watched, message: Msg): Promise<void> {
    const seq = Number(message.headers?.get('Nats-Sequence'));
    const decoded = this.codec.decodeEvent(message.data);
    const event = decoded.event;
    const frame = JSON.stringify({ op: 'event', ...eventPayload(seq, decoded) });
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
