import type { Subscription } from '@nats-io/transport-node';
import type { Codec } from '@parley/contracts';
import type { Logger, Names, NatsConnection } from '@parley/platform';
import type { TemplatedApp } from 'uWebSockets.js';
import { eventPayload } from './protocol.ts';

export const guildTopic = (guildId: string) => `g/${guildId}`;

/**
 * Live events for this node's audience. The node holds one core NATS
 * subscription per guild that at least one of its sockets watches, so its
 * NATS traffic follows its own clients, not the whole system. Each event is
 * decoded and serialized once and fanned out by uWS topic publish.
 *
 * Delivery is at-most-once (core NATS); every event carries its cursor and
 * the previous cursor of its stream, so a client that sees a gap refetches
 * from the log or the read models (promise 2).
 */
export class LiveHub {
  private readonly subscriptions = new Map<string, { subscription: Subscription; ready: Promise<void> }>();

  constructor(
    private readonly app: TemplatedApp,
    private readonly nc: NatsConnection,
    private readonly names: Names,
    private readonly codec: Codec,
    private readonly logger: Logger,
  ) {}

  /** Ensures this node receives the guild's live events; resolves once the server has the subscription. */
  async watch(guildId: string): Promise<void> {
    const existing = this.subscriptions.get(guildId);
    if (existing) return existing.ready;
    const topic = guildTopic(guildId);
    const subscription = this.nc.subscribe(this.names.liveGuild(guildId), {
      callback: (error, message) => {
        if (error) {
          this.logger.warn({ err: error, guildId }, 'live subscription error');
          return;
        }
        try {
          const seq = Number(message.headers?.get('Nats-Sequence'));
          const decoded = this.codec.decodeEvent(message.data);
          this.app.publish(topic, JSON.stringify({ op: 'event', ...eventPayload(seq, decoded) }));
        } catch (failure) {
          this.logger.error({ err: failure, subject: message.subject }, 'undeliverable live event');
        }
      },
    });
    const ready = this.nc.flush().catch((error: unknown) => {
      // A failed subscription must not stay cached: the next watch tries afresh.
      subscription.unsubscribe();
      this.subscriptions.delete(guildId);
      throw error;
    });
    this.subscriptions.set(guildId, { subscription, ready });
    return ready;
  }

  /** Drops the node's subscription when no local socket watches the guild any more. */
  release(guildId: string): void {
    if (this.app.numSubscribers(guildTopic(guildId)) > 0) return;
    this.subscriptions.get(guildId)?.subscription.unsubscribe();
    this.subscriptions.delete(guildId);
  }

  get watchedGuilds(): number {
    return this.subscriptions.size;
  }
}
