import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import type { Subscription } from '@nats-io/transport-node';
import type { Codec, CommandOutcome } from '@parley/contracts';
import { targetGuildId, type ParleyCommand } from '@parley/domain';
import type { Logger, Names, NatsConnection } from '@parley/platform';

export type OutcomeListener = (outcome: CommandOutcome) => void;

/**
 * Publishes commands to the command log and routes their outcomes back.
 * The JetStream message id is `<userId>:<commandId>`: a client retrying a
 * command (same id, any node) is deduplicated by the log, and its outcome is
 * then read from the outcome store instead of waiting for a second decision.
 */
export class CommandRelay {
  private readonly pending = new Map<string, OutcomeListener>();
  private readonly js: JetStreamClient;
  private subscription: Subscription | null = null;
  private outcomes: KV | null = null;

  constructor(
    private readonly nc: NatsConnection,
    private readonly names: Names,
    private readonly codec: Codec,
    private readonly nodeId: string,
    private readonly logger: Logger,
  ) {
    this.js = jetstream(nc);
  }

  async start(): Promise<void> {
    this.outcomes = await new Kvm(this.nc).open(this.names.outcomeBucket);
    this.subscription = this.nc.subscribe(this.names.outcomeSubject(this.nodeId), {
      callback: (error, message) => {
        if (error) return;
        try {
          this.deliver(this.codec.decodeOutcome(message.data));
        } catch (failure) {
          this.logger.error({ err: failure }, 'undecodable outcome');
        }
      },
    });
    await this.nc.flush();
  }

  stop(): void {
    this.subscription?.unsubscribe();
  }

  /** Sends a command; `listener` is called once with its outcome (or never, if the socket goes first: see forget). */
  async send(userId: string, commandId: string, command: ParleyCommand, listener: OutcomeListener): Promise<void> {
    const key = `${userId}.${commandId}`;
    this.pending.set(key, listener);
    const bytes = this.codec.encodeCommand(
      { commandId, userId, time: Date.now(), replyTo: this.names.outcomeSubject(this.nodeId) },
      command,
    );
    this.logger.debug({ commandId, userId, type: command.type }, 'publishing command');
    const ack = await this.js.publish(this.names.commandSubject(targetGuildId(command)), bytes, { msgID: `${userId}:${commandId}` });
    if (ack.duplicate) await this.answerFromStore(key);
  }

  forget(userId: string, commandId: string): void {
    this.pending.delete(`${userId}.${commandId}`);
  }

  private deliver(outcome: CommandOutcome): void {
    const key = `${outcome.userId}.${outcome.commandId}`;
    const listener = this.pending.get(key);
    if (!listener) return;
    this.pending.delete(key);
    listener(outcome);
  }

  /** A duplicate command: its outcome is in the store, or will be once the first attempt finishes. */
  private async answerFromStore(key: string): Promise<void> {
    for (let waited = 0; waited < 10_000 && this.pending.has(key); waited += 100) {
      const entry = await this.outcomes!.get(key);
      if (entry && entry.operation === 'PUT') {
        this.deliver(this.codec.decodeOutcome(entry.value));
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
