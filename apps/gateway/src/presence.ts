import type { KV } from '@nats-io/kv';
import type { Logger, Names, NatsConnection } from '@parley/platform';
import type { WebSocket } from 'uWebSockets.js';

export type PresenceStatus = 'online' | 'idle';
export type PresenceSignal = { kind: 'presence'; userId: string; status: PresenceStatus | 'offline'; until: number };

/** What presence needs of a socket's user data (read only while the socket is open, or kept by reference). */
type Holder = { userId: string; guilds: Map<string, Set<string>> };
type Socket = WebSocket<Holder>;

const RANK: Record<PresenceStatus, number> = { idle: 1, online: 2 };
const best = (a: PresenceStatus | undefined, b: PresenceStatus): PresenceStatus => (a && RANK[a] >= RANK[b] ? a : b);

/**
 * Presence of the users connected to this node. The truth is a memory KV
 * bucket with a TTL, one key per user, node and status
 * (`<userId>.<nodeId>.<status>`), refreshed by a heartbeat: a gateway that
 * dies leaves no ghost past the TTL. A user's best status across nodes is
 * announced on the ephemeral subject of every guild they are in, with an
 * `until` after which clients treat an unrenewed status as offline; the
 * heartbeat renews it. Each user's changes run one after another, so a socket
 * closing while its status is being written cannot leave a key behind.
 */
export class Presence {
  /** Per user: each open socket's status and (by reference) its data. */
  private readonly sockets = new Map<string, Map<Socket, { status: PresenceStatus; data: Holder }>>();
  /** Per user: the key status this node has written. */
  private readonly written = new Map<string, PresenceStatus>();
  private readonly queues = new Map<string, Promise<void>>();
  private readonly timer: NodeJS.Timeout;

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
      const everywhere = (await this.statuses(userId)).get(userId);
      const guilds = new Set([...guildIds, ...entries.flatMap((e) => [...e.data.guilds.keys()])]);
      this.announce(userId, everywhere ?? 'offline', guilds);
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

  private async statuses(userId?: string): Promise<Map<string, PresenceStatus>> {
    const out = new Map<string, PresenceStatus>();
    for await (const key of await this.kv.keys(userId === undefined ? '>' : `${userId}.>`)) {
      const [user, , status] = key.split('.') as [string, string, PresenceStatus];
      out.set(user, best(out.get(user), status));
    }
    return out;
  }

  private announce(userId: string, status: PresenceSignal['status'], guildIds: Iterable<string>): void {
    const signal: PresenceSignal = { kind: 'presence', userId, status, until: Date.now() + this.ttlMs };
    const bytes = JSON.stringify(signal);
    for (const guildId of guildIds) this.nc.publish(this.names.ephemeralGuild(guildId), bytes);
  }

  /** Keeps this node's keys alive and renews everyone's `until`. */
  private beat(): void {
    for (const userId of this.written.keys()) void this.sync(userId, [], true);
  }
}
