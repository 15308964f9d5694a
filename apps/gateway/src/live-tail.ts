import type { Subscription } from '@nats-io/transport-node';
import type { Codec, DecodedEvent } from '@parley/contracts';
import type { EventLog } from '@parley/event-store';
import type { Logger, NatsConnection } from '@parley/platform';
import { Serial } from './limits.ts';

export type TailEvent = { seq: number; decoded: DecodedEvent };
type LoggedEvent = TailEvent & { pending: number };

/** Why a catch-up could not bring a socket level with the tail (`refused`: its `enter` said no). */
export type CatchUpFailure = 'too_far' | 'unknown_cursor' | 'behind' | 'expired' | 'closed' | 'refused';

/**
 * The live end of one part of the event log (a guild: `<ns>.evt.<gid>.>`, or
 * a user's stream) on this node, and the seam where a socket switches from
 * replaying the log to receiving live events.
 *
 * `position` is the invariant that makes the switch exact: every event on
 * the filter with a sequence up to `position` has either been handled live
 * here or was stored before the live subscription existed; every later one
 * will be handled live. Live events and `run` steps execute one after
 * another, so a socket that replays (after, position] from the log inside a
 * `run` step and only then joins the live audience receives each event
 * exactly once, in order (promise 3).
 *
 * Live delivery is core NATS (at most once). An event lost on the way still
 * advances nothing: the next one carries `prev`, so clients see the gap and
 * resume, which replays from the log.
 */
export class LiveTail {
  position = 0;
  readonly ready: Promise<void>;
  private readonly steps: Serial;
  private readonly subscription: Subscription;

  constructor(
    nc: NatsConnection,
    liveSubject: string,
    private readonly filter: string,
    private readonly log: EventLog,
    private readonly codec: Codec,
    onLive: (event: TailEvent) => Promise<void> | void,
    logger: Logger,
  ) {
    this.subscription = nc.subscribe(liveSubject, {
      callback: (error, message) => {
        if (error) return logger.warn({ err: error, subject: liveSubject }, 'live subscription error');
        const seq = Number(message.headers?.get('Nats-Sequence'));
        void this.run(async () => {
          if (!(seq > this.position)) return; // already covered by the log when the tail started
          this.position = seq;
          await onLive({ seq, decoded: this.codec.decodeEvent(message.data) });
        }).catch((failure: unknown) => logger.error({ err: failure, subject: message.subject, seq }, 'undeliverable live event'));
      },
    });
    // Subscribed before the log's last sequence is read: nothing can fall between the two.
    this.ready = nc.flush().then(async () => {
      this.position = await this.log.lastSeq(this.filter);
    });
    this.steps = new Serial(this.ready);
  }

  /** Runs `step` after every live event and step queued before it, and before any queued after. */
  run<T>(step: () => Promise<T>): Promise<T> {
    return this.steps.run(step);
  }

  /** The decoded events of this tail's filter in (after, upTo], from the log, each with how many follow it there. */
  async *history(after: number, upTo: number): AsyncGenerator<LoggedEvent> {
    for await (const { seq, data, pending } of this.log.read(this.filter, after, upTo)) yield { seq, decoded: this.codec.decodeEvent(data), pending };
  }

  /**
   * Brings a socket from `after` to the live tail. First, inside a step,
   * once the tail has reached `after` (a client may have seen, on another
   * node, live events this tail has not handled yet: they are on their way,
   * so it waits for them rather than replay them and deliver them twice),
   * `enter` decides on the state as of there whether the socket may follow
   * at all. Then (after, position] is replayed through `send`: the bulk
   * outside the chain (other sockets keep receiving; `send` may wait for
   * the socket to drain), the last stretch inside it (`inChain`: `send` must
   * not wait, or one slow socket would hold up everyone's live events),
   * where `admit` joins the socket to the live audience with no event able
   * to slip in between. At most `limit` events are read; `replayed` counts
   * those `send` delivered.
   */
  async catchUp<T>(
    after: number,
    lastInLog: number,
    limit: number,
    enter: () => Promise<boolean>,
    send: (event: TailEvent, inChain: boolean) => Promise<boolean> | boolean,
    admit: () => Promise<T>,
  ): Promise<{ ok: true; value: T; replayed: number } | { ok: false; reason: CatchUpFailure }> {
    await this.ready;
    if (after > lastInLog) return { ok: false, reason: 'unknown_cursor' };
    for (let attempt = 0; ; attempt++) {
      const entered = await this.run(async () => {
        if (after > this.position) {
          const next = await this.log.nextOnSubject(this.filter, this.position + 1);
          if (next !== null && next.seq <= after) return 'behind' as const;
          this.position = after; // nothing on the filter in between
        }
        return (await enter()) ? ('entered' as const) : ('refused' as const);
      });
      if (entered === 'entered') break;
      if (entered === 'refused' || attempt >= 100) return { ok: false, reason: entered };
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    let read = 0;
    let replayed = 0;
    let from = after;
    const replay = async (upTo: number, inChain: boolean): Promise<boolean> => {
      for await (const { pending, ...event } of this.history(from, upTo)) {
        // Known at the first event: a replay past the limit is refused before anything is sent.
        if (++read + pending > limit) return false;
        if (await send(event, inChain)) replayed++;
      }
      from = Math.max(from, upTo);
      return true;
    };
    if (!(await replay(this.position, false))) return { ok: false, reason: 'too_far' };
    const outcome = await this.run(async () => ((await replay(this.position, true)) ? { value: await admit() } : null));
    return outcome ? { ok: true, value: outcome.value, replayed } : { ok: false, reason: 'too_far' };
  }

  close(): void {
    this.subscription.unsubscribe();
  }
}
