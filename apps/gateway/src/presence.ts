import { KvWatchInclude, type KV, type KvWatchEntry } from '@nats-io/kv';
import type { Logger, Names, NatsConnection } from '@parley/platform';
import type { WebSocket } from 'uWebSockets.js';

export type PresenceStatus = 'online' | 'idle';
export type PresenceSignal =
  | { kind: 'presence'; userId: string; status: PresenceStatus | 'offline'; until: number }
  /** A node's heartbeat for one guild: its users' statuses stand until `until`. */
  | { kind: 'renew'; users: Record<string, PresenceStatus>; until: number };

/** What presence needs of a socket's user data (read only while the socket is open, or kept by reference). */
type Holder = { userId: string; guilds: Map<string, Set<string>> };
type Socket = WebSocket<Holder>;

const RANK: Record<PresenceStatus, number> = { idle: 1, online: 2 };
const best = (a: PresenceStatus | undefined, b: PresenceStatus): PresenceStatus => (a && RANK[a] >= RANK[b] ? a : b);

/**
 * Presence of the users connected to this node. The truth is a memory KV
 * bucket with a TTL, one key per user, node and status
 * (`<userId>.<nodeId>.<status>`), refreshed by a heartbeat: a gateway that
 * dies leaves no ghost past the TTL. Each node mirrors the bucket through
 * one watch (no listing per change: a listing is a consumer, and thousands
 * of them brought the server to its knees in the benchmark), treating an
 * entry not rewritten within the TTL as gone. A user's best status across
 * nodes is announced on the ephemeral subject of every guild they are in,
 * with an `until` after which clients treat an unrenewed status as offline;
 * the heartbeat renews all of a node's users in one signal per guild. Each
 * user's changes run one after another, so a socket closing while its
 * status is being written cannot leave a key behind.
 */
export class Presence {
  /** Per user: each open socket's status and (by reference) its data. */
  private readonly sockets = new Map<string, Map<Socket, { status: PresenceStatus; data: Holder }>>();
  /** Per user: the key status this node has written. */
  private readonly written = new Map<string, PresenceStatus>();
  private readonly queues = new Map<string, Promise<void>>();
  /** The bucket as this node last saw it: per user, per node, a status and when it was written. */
  private readonly mirror = new Map<string, Map<string, { status: PresenceStatus; at: number }>>();
  private readonly timer: NodeJS.Timeout;
  private watching?: { stop(): void };

  constructor(
    private readonly kv: KV,
    private readonly nc: NatsConnection,
    private readonly names: Names,
    private readonly nodeId: string,
    private readonly logger: Logger,
    private readonly ttlMs: number,
  ) {
    this.timer = setInterval(() => this.beat(), ttlMs / 3);
    this.timer.unref();
  }

  /** Starts mirroring the bucket; resolves once the watch is in place. */
  async start(): Promise<void> {
    const watch = await this.kv.watch({ include: KvWatchInclude.LastValue });
    this.watching = watch;
    void (async () => {
      for await (const entry of watch) this.observe(entry);
    })().catch((error: unknown) => this.logger.warn({ err: error }, 'presence watch ended'));
  }

  private observe(entry: KvWatchEntry): void {
    const [user, node, status] = entry.key.split('.') as [string, string, PresenceStatus];
    const nodes = this.mirror.get(user) ?? new Map<string, { status: PresenceStatus; at: number }>();
    if (entry.operation === 'PUT') nodes.set(node, { status, at: entry.created.getTime() });
    else if (nodes.get(node)?.status === status) nodes.delete(node);
    if (nodes.size > 0) this.mirror.set(user, nodes);
    else this.mirror.delete(user);
  }

  /** Sets a socket's status (call it once the socket is ready) and announces its user's if it changed. */
  set(ws: Socket, status: PresenceStatus): Promise<void> {
    const data = ws.getUserData();
    const mine = this.sockets.get(data.userId) ?? new Map();
    this.sockets.set(data.userId, mine.set(ws, { status, data }));
    return this.sync(data.userId, [...data.guilds.keys()]);
  }

  /** A socket closed (call it from the close handler, with the guilds it watched). */
  drop(ws: Socket, userId: string, guildIds: string[]): Promise<void> {
    const mine = this.sockets.get(userId);
    if (!mine?.delete(ws)) return Promise.resolve();
    if (mine.size === 0) this.sockets.delete(userId);
    return this.sync(userId, guildIds);
  }

  /** Every user's best status across all nodes, from the bucket (one listing). */
  async snapshot(): Promise<Map<string, PresenceStatus>> {
    return this.statuses();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.watching?.stop();
    await Promise.allSettled([...this.queues.values()]);
    for (const [userId, status] of this.written) await this.kv.delete(this.key(userId, status)).catch(() => undefined);
  }

  /** Makes the bucket match this node's sockets for a user, then announces the user's best status. */
  private sync(userId: string, guildIds: string[], force = false): Promise<void> {
    const step = async () => {
      const entries = [...(this.sockets.get(userId)?.values() ?? [])];
      const mine = entries.reduce<PresenceStatus | undefined>((acc, e) => best(acc, e.status), undefined);
      const was = this.written.get(userId);
      if (mine === was && !force) return;
      if (mine) await this.kv.put(this.key(userId, mine), '');
      if (was && was !== mine) await this.kv.delete(this.key(userId, was));
      if (mine) this.written.set(userId, mine);
      else this.written.delete(userId);
      const guilds = new Set([...guildIds, ...entries.flatMap((e) => [...e.data.guilds.keys()])]);
      this.announce(userId, this.everywhere(userId) ?? 'offline', guilds);
    };
    const next = (this.queues.get(userId) ?? Promise.resolve()).then(step).catch((error: unknown) => this.logger.warn({ err: error, userId }, 'presence update failed'));
    this.queues.set(userId, next);
    void next.finally(() => {
      if (this.queues.get(userId) === next) this.queues.delete(userId);
    });
    return next;
  }

  private key(userId: string, status: PresenceStatus): string {
    return `${userId}.${this.nodeId}.${status}`;
  }

  /** A user's best status across nodes: this node's own, and the others' from the mirror while fresh. */
  private everywhere(userId: string): PresenceStatus | undefined {
    let status = this.written.get(userId);
    const fresh = Date.now() - this.ttlMs;
    for (const [node, entry] of this.mirror.get(userId) ?? []) {
      if (node !== this.nodeId && entry.at > fresh) status = best(status, entry.status);
    }
    return status;
  }

  private statuses(): Map<string, PresenceStatus> {
    const out = new Map<string, PresenceStatus>();
    for (const userId of new Set([...this.mirror.keys(), ...this.written.keys()])) {
      const status = this.everywhere(userId);
      if (status) out.set(userId, status);
    }
    return out;
  }

  private announce(userId: string, status: PresenceStatus | 'offline', guildIds: Iterable<string>): void {
    const signal: PresenceSignal = { kind: 'presence', userId, status, until: Date.now() + this.ttlMs };
    const bytes = JSON.stringify(signal);
    for (const guildId of guildIds) this.nc.publish(this.names.ephemeralGuild(guildId), bytes);
  }

  /**
   * Keeps this node's keys alive (plain puts) and renews its users'
   * statuses with one signal per guild, not one per user and guild: a guild
   * of a thousand online members costs each of its sockets one frame per
   * heartbeat, not a thousand.
   */
  private beat(): void {
    const byGuild = new Map<string, Record<string, PresenceStatus>>();
    for (const [userId, mine] of this.written) {
      void this.kv.put(this.key(userId, mine), '').catch((error: unknown) => this.logger.warn({ err: error, userId }, 'presence renewal failed'));
      const status = this.everywhere(userId) ?? mine;
      for (const { data } of this.sockets.get(userId)?.values() ?? []) {
        for (const guildId of data.guilds.keys()) {
          const users = byGuild.get(guildId) ?? {};
          users[userId] = status;
          byGuild.set(guildId, users);
        }
      }
    }
    const until = Date.now() + this.ttlMs;
    for (const [guildId, users] of byGuild) {
      const signal: PresenceSignal = { kind: 'renew', users, until };
      this.nc.publish(this.names.ephemeralGuild(guildId), JSON.stringify(signal));
    }
  }
}
