import { DeliverPolicy, jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@parley/platform';

/**
 * Reads of the event log: the last sequence on a subject (for optimistic
 * concurrency), the raw events of a subject or wildcard in a range (to
 * rebuild an aggregate, to replay what a client missed) and the log's
 * bounds. Reads near the tail are cheap; a cold rebuild of a long-lived
 * guild walks its subject once, then the state is cached.
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

  /**
   * Events on `filter` (a subject, or a wildcard such as `<ns>.evt.<guildId>.>`) with sequence in
   * (after, upTo], in order. Ends early when the log has nothing more on the filter. A range with
   * nothing in it costs one direct get; otherwise an ordered consumer streams it (cheap near the
   * tail, a scan of the stream's index from deep in the past). `pending` is
   * how many events on the filter follow this one in the log (up to its end,
   * not to `upTo`).
   */
  async *read(filter: string, after: number, upTo: number): AsyncGenerator<{ seq: number; data: Uint8Array; pending: number }> {
    if (upTo <= after) return;
    const first = await this.nextOnSubject(filter, after + 1);
    if (!first || first.seq > upTo) return;
    const consumer = await jetstream(this.nc).consumers.get(this.stream, {
      filter_subjects: filter,
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: first.seq,
    });
    try {
      for (;;) {
        const messages = await consumer.fetch({ max_messages: 1000, expires: 2000 });
        let got = 0;
        for await (const message of messages) {
          got++;
          if (message.seq > upTo) return;
          yield { seq: message.seq, data: message.data, pending: message.info.pending };
          if (message.seq === upTo || message.info.pending === 0) return;
        }
        if (got === 0) throw new Error(`event log stopped answering before ${upTo} on ${filter}`);
      }
    } finally {
      await consumer.delete().catch(() => undefined);
    }
  }

  /**
   * The log's bounds and identity: `epoch` (when the stream was created) changes when the log is
   * recreated, so cursors of the old log are recognised as meaningless; events before `firstSeq` are
   * gone (limits), so a cursor before it cannot be resumed.
   */
  async info(): Promise<{ epoch: string; firstSeq: number; lastSeq: number }> {
    const info = await this.jsm.streams.info(this.stream);
    return { epoch: info.created, firstSeq: info.state.first_seq, lastSeq: info.state.last_seq };
  }
}

function notFoundAsNull(error: Error): null {
  if (/no message found|not found/i.test(error.message)) return null;
  throw error;
}
