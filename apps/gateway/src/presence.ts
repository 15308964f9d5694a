import type { KV } from '@nats-io/kv';
import type { Logger, Names, NatsConnection } from '@parley/platform';
import type { WebSocket } from 'uWebSockets.js';

export type PresenceStatus = 'online' | 'idle';
export type PresenceSignal = { kind: 'presence'; userId: string; status: PresenceStatus | 'offline'; until: number };

/** What presence needs of a socket's user data. */
type Holder = { userId: string; guilds: Map<string, Set<string>> };
type Socket = WebSocket<Holder>;

const RANK: Record<PresenceStatus, number> = { idle: 1, online: 2 };
const best = (a: PresenceStatus | undefined, b: PresenceStatus): PresenceStatus => (a && RANK[a] >= RANK[b] ? a : b);

/**
 * Presence of the users connected to this node. The truth is a memory KV
 * bucket with a TTL, one key per user, node and status
 * (`<userId>.<nodeId>.<status>`), refreshed by a heartbeat: a gateway that
 * dies leaves no ghost past the TTL. Changes are announced on the ephemeral
 * subject of every guild the user is in, with an `until` after which
 * clients treat an unrenewed status as offline; the heartbeat renews them.
 */
export class Presence {
  private readonly sockets = new Map<string, Map<Socket, PresenceStatus>>();
  private readonly published = new Map<string, PresenceStatus>();
  private readonly timer: NodeJS.Timeout;
  /** Drops under way; stopping waits for them so the node leaves no keys behind. */
  private readonly drops = new Set<Promise<void>>();

  constructor(
    private readonly kv: KV,
    private readonly nc: NatsConnection,
    private readonly names: Names,
    private readonly nodeId: string,
    private readonly logger: Logger,
    private readonly ttlMs: number,
  ) {
    this.timer = setInterval(() => void this.beat().catch((error) => this.logger.warn({ err: error }, 'presence heartbeat failed')), ttlMs / 3);
    this.timer.unref();
  }

  /** Sets a socket's status (a new socket starts online) and announces its user's if it changed. */
  async set(ws: Socket, status: PresenceStatus): Promise<void> {
    const { userId } = ws.getUserData();
    const mine = this.sockets.get(userId) ?? new Map<Socket, PresenceStatus>();
    this.sockets.set(userId, mine.set(ws, status));
    await this.publish(userId, [...mine.keys()]);
  }

  /**
   * A socket closed: its user may now be idle, or offline everywhere. Called
   * from the close handler with what it watched (a closed socket's data must
   * not be touched later).
   */
  drop(ws: Socket, userId: string, guildIds: string[]): Promise<void> {
    const done = this.dropNow(ws, userId, guildIds).finally(() => this.drops.delete(done));
    this.drops.add(done);
    return done;
  }

  private async dropNow(ws: Socket, userId: string, guildIds: string[]): Promise<void> {
    const mine = this.sockets.get(userId);
    if (!mine?.delete(ws)) return;
    if (mine.size > 0) return this.publish(userId, [...mine.keys()]);
    this.sockets.delete(userId);
    const was = this.published.get(userId);
    this.published.delete(userId);
    if (was) await this.kv.delete(this.key(userId, was));
    if ((await this.statuses(userId)).size === 0) this.announce(userId, 'offline', guildIds);
  }

  /** Every user's best status across all nodes, from the bucket (one listing). */
  async snapshot(): Promise<Map<string, PresenceStatus>> {
    return this.statuses();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await Promise.allSettled([...this.drops]);
    for (const [userId, status] of this.published) await this.kv.delete(this.key(userId, status)).catch(() => undefined);
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

  private async publish(userId: string, sockets: Socket[]): Promise<void> {
    const status = [...this.sockets.get(userId)!.values()].reduce<PresenceStatus | undefined>(best, undefined)!;
    const was = this.published.get(userId);
    if (was === status) return;
    await this.kv.put(this.key(userId, status), '');
    if (was) await this.kv.delete(this.key(userId, was));
    this.published.set(userId, status);
    this.announce(userId, status, new Set(sockets.flatMap((ws) => [...ws.getUserData().guilds.keys()])));
  }

  private announce(userId: string, status: PresenceSignal['status'], guildIds: Iterable<string>): void {
    const signal: PresenceSignal = { kind: 'presence', userId, status, until: Date.now() + this.ttlMs };
    const bytes = JSON.stringify(signal);
    for (const guildId of guildIds) this.nc.publish(this.names.ephemeralGuild(guildId), bytes);
  }

  /** Keeps this node's keys alive and renews everyone's `until`. */
  private async beat(): Promise<void> {
    for (const [userId, status] of this.published) {
      await this.kv.put(this.key(userId, status), '');
      const sockets = [...(this.sockets.get(userId)?.keys() ?? [])];
      this.announce(userId, status, new Set(sockets.flatMap((ws) => [...ws.getUserData().guilds.keys()])));
    }
  }
}
