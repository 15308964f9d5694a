import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type Consumer, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import type { Codec } from '@parley/contracts';
import type { Logger, Names, NatsConnection } from '@parley/platform';
import { lockCheckpoint, readCheckpoint, saveCheckpoint, type MikroORM } from '@parley/read-model';
import type { Envelope, Projection } from './projection.ts';

const IDLE_ADVANCE_MS = 500;

export type ProjectorDeps = {
  nc: NatsConnection;
  names: Names;
  orm: MikroORM;
  codec: Codec;
  logger: Logger;
  batchSize?: number;
};

/**
 * Runs one projection: durable consumer -> batch -> one Postgres transaction
 * that applies the batch and advances the checkpoint -> ack after commit.
 *
 * Postgres holds the truth about progress. At start (and after any error)
 * the durable consumer is recreated at checkpoint + 1, so a crash at any
 * point neither skips nor repeats: unacked events are simply read again and
 * events at or below the checkpoint are ignored under the checkpoint's row
 * lock (promise 5).
 */
export class Projector {
  private stopping = false;
  private loop: Promise<void> | null = null;
  private committed = 0;
  private messages: ConsumerMessages | null = null;
  private turn: Promise<unknown> = Promise.resolve();
  private readonly batchSize: number;
  private readonly durable: string;
  private readonly log: Logger;

  constructor(private readonly projection: Projection, private readonly deps: ProjectorDeps) {
    this.batchSize = deps.batchSize ?? 500;
    this.durable = deps.names.projectorConsumer(projection.name);
    this.log = deps.logger.child({ projection: projection.name });
  }

  /** The last event log sequence whose effects this worker committed. */
  get position(): number {
    return this.committed;
  }

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.messages?.close();
    await this.loop;
    this.loop = null;
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      try {
        this.committed = await readCheckpoint(this.deps.orm.em.fork(), this.projection.name);
        const consumer = await this.positionConsumer(this.committed + 1);
        this.log.info({ from: this.committed + 1 }, 'projecting');
        await this.consume(consumer);
      } catch (error) {
        if (this.stopping) break;
        this.log.error({ err: error }, 'projection failed; restarting from the checkpoint in 1 s');
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  }

  private async positionConsumer(startSeq: number): Promise<Consumer> {
    const { nc, names } = this.deps;
    const jsm = await jetstreamManager(nc);
    await jsm.consumers.delete(names.eventStream, this.durable).catch(() => undefined);
    await jsm.consumers.add(names.eventStream, {
      durable_name: this.durable,
      ack_policy: AckPolicy.All,
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: startSeq,
      filter_subject: `${names.namespace}.${this.projection.subjects}`,
      ack_wait: nanos(60_000),
      max_ack_pending: this.batchSize * 4,
    });
    return jetstream(nc).consumers.get(names.eventStream, this.durable);
  }

  /**
   * Commits as soon as the consumer has nothing more pending, or when a batch
   * is full: low latency when idle, large batches when behind. While idle it
   * also moves the checkpoint up to the log's end (see advanceIdle).
   */
  private async consume(consumer: Consumer): Promise<void> {
    let reported = { at: Date.now(), position: this.committed };
    const messages = await consumer.consume({ max_messages: this.batchSize * 2 });
    this.messages = messages;
    let batch: JsMsg[] = [];
    const idle = setInterval(() => {
      if (batch.length > 0) return;
      this.serially(() => this.advanceIdle(consumer)).catch((error: unknown) => this.log.warn({ err: error }, 'idle checkpoint advance failed'));
    }, IDLE_ADVANCE_MS);
    try {
      for await (const message of messages) {
        batch.push(message);
        if (batch.length < this.batchSize && message.info.pending > 0) continue;
        const done = batch;
        await this.serially(() => this.commit(done));
        message.ack(); // AckPolicy.All: acks the whole batch, after the commit
        batch = [];
        const now = Date.now();
        if (now - reported.at >= 5000) {
          const rate = Math.round(((this.committed - reported.position) * 1000) / (now - reported.at));
          this.log.info({ position: this.committed, pending: message.info.pending, rate }, 'progress');
          reported = { at: now, position: this.committed };
        }
      }
    } finally {
      clearInterval(idle);
    }
  }

  /**
   * A projection whose subjects see no new events would keep an old
   * checkpoint, and every answer joining it would claim an old cursor. When
   * the consumer has nothing pending and nothing unacknowledged, every event
   * of this projection up to the log's last sequence (read first) is
   * committed, so the checkpoint may move there.
   */
  private async advanceIdle(consumer: Consumer): Promise<void> {
    const { nc, names, orm } = this.deps;
    const last = (await (await jetstreamManager(nc)).streams.info(names.eventStream)).state.last_seq;
    if (last <= this.committed) return;
    const info = await consumer.info();
    if (info.num_pending > 0 || info.num_ack_pending > 0) return;
    const name = this.projection.name;
    await orm.em.fork().transactional(async (em) => {
      if (last > (await lockCheckpoint(em, name))) await saveCheckpoint(em, name, last);
    });
    this.committed = Math.max(this.committed, last);
  }

  /** Commits and idle advances never interleave. */
  private serially<T>(step: () => Promise<T>): Promise<T> {
    const next = this.turn.then(step);
    this.turn = next.catch(() => undefined);
    return next;
  }

  private async commit(batch: JsMsg[]): Promise<void> {
    const envelopes: Envelope[] = [];
    let last = 0;
    for (const message of batch) {
      if (message.seq <= last) throw new Error(`out-of-order delivery: ${message.seq} after ${last}`);
      last = message.seq;
      const { meta, event } = this.deps.codec.decodeEvent(message.data);
      envelopes.push({ seq: message.seq, meta, event });
    }
    const name = this.projection.name;
    await this.deps.orm.em.fork().transactional(async (em) => {
      const checkpoint = await lockCheckpoint(em, name);
      const fresh = envelopes.filter((e) => e.seq > checkpoint);
      if (fresh.length === 0) return;
      await this.projection.apply(em, fresh);
      await saveCheckpoint(em, name, last);
    });
    this.committed = Math.max(this.committed, last);
    for (const { seq, meta } of envelopes) this.log.debug({ commandId: meta.causationId, seq }, 'projected');
  }
}
