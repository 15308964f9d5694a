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
  /** Every socket waiting for a command's outcome: a retry on a second socket must not evict the first. */
  private readonly pending = new Map<string, Set<OutcomeListener>>();
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

  /**
   * Sends a command; `listener` is called once with its outcome (or never, if
   * the socket goes first: see forget). Rejects when the log is unavailable
   * or a duplicate's outcome does not turn up; the client retries the same id.
   */
  async send(userId: string, commandId: string, command: ParleyCommand, listener: OutcomeListener): Promise<void> {
    const key = `${userId}.${commandId}`;
    const listeners = this.pending.get(key) ?? new Set();
    this.pending.set(key, listeners.add(listener));
    const bytes = this.codec.encodeCommand(
      { commandId, userId, time: Date.now(), replyTo: this.names.outcomeSubject(this.nodeId) },
      command,
    );
    this.logger.debug({ commandId, userId, type: command.type }, 'publishing command');
    const ack = await this.js.publish(this.names.commandSubject(targetGuildId(command)), bytes, { msgID: `${userId}:${commandId}` });
    if (ack.duplicate) await this.answerFromStore(key, listener);
  }

  /** Sends a command and resolves with its outcome (for request/response callers such as the HTTP API). */
  request(userId: string, commandId: string, command: ParleyCommand, timeoutMs = 10_000): Promise<CommandOutcome> {
    return new Promise((resolve, reject) => {
      const listener: OutcomeListener = (outcome) => {
        clearTimeout(timer);
        resolve(outcome);
      };
      const timer = setTimeout(() => {
        this.forget(userId, commandId, listener);
        reject(new Error(`no outcome for ${commandId} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.send(userId, commandId, command, listener).catch((error: unknown) => {
        clearTimeout(timer);
        this.forget(userId, commandId, listener);
        reject(error);
      });
    });
  }

  /** Stops waiting for `listener` only: other sockets waiting for the same command keep their answer. */
  forget(userId: string, commandId: string, listener: OutcomeListener): void {
    const key = `${userId}.${commandId}`;
    const listeners = this.pending.get(key);
    listeners?.delete(listener);
    if (listeners?.size === 0) this.pending.delete(key);
  }

  private deliver(outcome: CommandOutcome): void {
    const key = `${outcome.userId}.${outcome.commandId}`;
    const listeners = this.pending.get(key);
    if (!listeners) return;
    this.pending.delete(key);
    for (const listener of listeners) listener(outcome);
  }

  /** A duplicate command: its outcome is in the store, or will be once the first attempt finishes. */
  private async answerFromStore(key: string, listener: OutcomeListener): Promise<void> {
    for (let waited = 0; waited < 10_000; waited += 100) {
      if (!this.pending.get(key)?.has(listener)) return;
      const entry = await this.outcomes!.get(key);
      if (entry && entry.operation === 'PUT') {
        this.deliver(this.codec.decodeOutcome(entry.value));
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // Silence would leave the client waiting forever; it is told to retry instead.
    if (this.pending.get(key)?.has(listener)) throw new Error(`no outcome for duplicate command ${key} yet`);
  }
}
