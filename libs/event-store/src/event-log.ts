import { DeliverPolicy, jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@parley/platform';

/**
 * Reads of the event log the command handler needs: the last sequence on a
 * subject (for optimistic concurrency) and the raw events of one subject
 * after a sequence (to rebuild an aggregate). Reads near the tail are cheap;
 * a cold rebuild of a long-lived guild walks its subject once, then the
 * state is cached.
 */
export class EventLog {
  private constructor(
    private readonly nc: NatsConnection,
    private readonly jsm: JetStreamManager,
    readonly stream: string,
  ) {}

  static async open(nc: NatsConnection, stream: string): Promise<EventLog> {
    return new EventLog(nc, await jetstreamManager(nc), stream);
  }

  /**
   * Sequence of the last event on `subject`, 0 when there is none. Reads use
   * direct gets: served by the stream itself, outside the JetStream API
   * queue that consumer and stream management share.
   */
  async lastSeq(subject: string): Promise<number> {
    const message = await this.jsm.direct.getMessage(this.stream, { last_by_subj: subject }).catch(notFoundAsNull);
    return message?.seq ?? 0;
  }

  /** The first event on `subject` at or after `seq`, if any. */
  async nextOnSubject(subject: string, seq: number): Promise<{ seq: number; data: Uint8Array } | null> {
    const message = await this.jsm.direct.getMessage(this.stream, { next_by_subj: subject, seq }).catch(notFoundAsNull);
    return message ? { seq: message.seq, data: message.data } : null;
  }

  async bySeq(seq: number): Promise<Uint8Array> {
    const message = await this.jsm.direct.getMessage(this.stream, { seq }).catch(notFoundAsNull);
    if (!message) throw new Error(`event ${seq} is missing from ${this.stream}`);
    return message.data;
  }

  /** Events on `subject` with sequence in (after, upTo], in order. */
  async *read(subject: string, after: number, upTo: number): AsyncGenerator<{ seq: number; data: Uint8Array }> {
    if (upTo <= after) return;
    const consumer = await jetstream(this.nc).consumers.get(this.stream, {
      filter_subjects: subject,
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: after + 1,
    });
    try {
      let seq = after;
      while (seq < upTo) {
        const messages = await consumer.fetch({ max_messages: 1000, expires: 2000 });
        let got = 0;
        for await (const message of messages) {
          got++;
          seq = message.seq;
          if (seq > upTo) break;
          yield { seq, data: message.data };
          if (seq === upTo) break;
        }
        if (got === 0) throw new Error(`event log ended before ${upTo} on ${subject}`);
      }
    } finally {
      await consumer.delete().catch(() => undefined);
    }
  }
}

function notFoundAsNull(error: Error): null {
  if (/no message found|not found/i.test(error.message)) return null;
  throw error;
}
