import type { Subscription } from '@nats-io/transport-node';
import type { Codec, DecodedEvent } from '@parley/contracts';
import type { Logger, Names, NatsConnection } from '@parley/platform';
import type { TemplatedApp } from 'uWebSockets.js';
import { eventPayload } from './protocol.ts';

export const userTopic = (userId: string) => `u/${userId}`;

/**
 * Each connected user's own stream (account, sessions, read markers), live to all of that user's sockets on this node: one core
 * NATS subscription per user with at least one socket here. Events carry
 * cursors like any other, so a session learns what another one did.
 */
export class UserFeed {
  private readonly users = new Map<string, { subscription: Subscription; sockets: number }>();

  constructor(
    private readonly app: TemplatedApp,
    private readonly nc: NatsConnection,
    private readonly names: Names,
    private readonly codec: Codec,
    private readonly logger: Logger,
    /** Called for every event of a watched user's stream, after it is relayed. */
    private readonly onEvent: (userId: string, decoded: DecodedEvent) => void = () => undefined,
  ) {}

  /** Starts the user's feed on this node if it is not running; resolves once the server has it. */
  async open(userId: string): Promise<void> {
    const entry = this.users.get(userId);
    if (entry) {
      entry.sockets += 1;
      return;
    }
    const subscription = this.nc.subscribe(this.names.liveUser(userId), {
      callback: (error, message) => {
        if (error) return;
        try {
          const seq = Number(message.headers?.get('Nats-Sequence'));
          const decoded = this.codec.decodeEvent(message.data);
          this.app.publish(userTopic(userId), JSON.stringify({ op: 'event', ...eventPayload(seq, decoded) }));
          this.onEvent(userId, decoded);
        } catch (failure) {
          this.logger.error({ err: failure, subject: message.subject }, 'undeliverable user event');
        }
      },
    });
    this.users.set(userId, { subscription, sockets: 1 });
    await this.nc.flush();
  }

  close(userId: string): void {
    const entry = this.users.get(userId);
    if (!entry || --entry.sockets > 0) return;
    entry.subscription.unsubscribe();
    this.users.delete(userId);
  }
}
