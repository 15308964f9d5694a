import type { Codec } from '@parley/contracts';
import {
  evolveGuild,
  evolveMessages,
  evolveUser,
  initialChannelMessages,
  initialUserState,
  initialGuildState,
  isGuildEvent,
  isMessageEvent,
  isUserEvent,
  type ChannelMessages,
  type GuildEvent,
  type GuildState,
  type MessageEvent,
  type ParleyEvent,
  type UserEvent,
  type UserState,
} from '@parley/domain';
import type { EventLog } from './event-log.ts';

/** A stream's folded state and the event log sequence of the last event folded in. */
export type Folded<S> = { state: S; version: number };

/** How one kind of stream folds: its empty state, its step, and which events belong to it. */
export type Fold<S, E extends ParleyEvent> = {
  initial: () => S;
  evolve: (state: S, event: E, seq: number) => S;
  accepts: (event: ParleyEvent) => event is E;
};

export const guildFold: Fold<GuildState, GuildEvent> = { initial: initialGuildState, evolve: evolveGuild, accepts: isGuildEvent };
export const messagesFold: Fold<ChannelMessages, MessageEvent> = { initial: initialChannelMessages, evolve: evolveMessages, accepts: isMessageEvent };
export const userFold: Fold<UserState, UserEvent> = { initial: initialUserState, evolve: evolveUser, accepts: isUserEvent };

/**
 * States folded from event log subjects (a guild's own stream, a channel's
 * messages), cached by subject (bounded: the least recently loaded go first).
 * Writers and readers keep an entry current by applying the events they
 * append or receive; `apply` refuses an event that does not follow the
 * entry's version (its `prev` says so), and the caller refreshes from the
 * log instead of folding onto a gap.
 */
export class StreamStates<S, E extends ParleyEvent> {
  private readonly entries = new Map<string, Folded<S>>();

  constructor(
    private readonly log: EventLog,
    private readonly codec: Codec,
    private readonly fold: Fold<S, E>,
    private readonly capacity = 10_000,
  ) {}

  async get(subject: string): Promise<Folded<S>> {
    return this.entries.get(subject) ?? this.refresh(subject);
  }

  /** Catches the entry up with the log (a cold load when there is none). */
  async refresh(subject: string): Promise<Folded<S>> {
    const entry = this.entries.get(subject) ?? { state: this.fold.initial(), version: 0 };
    const last = await this.log.lastSeq(subject);
    for await (const { seq, data } of this.log.read(subject, entry.version, last)) {
      const { event } = this.codec.decodeEvent(data);
      if (!this.fold.accepts(event)) throw new Error(`unexpected ${event.type} on ${subject}`);
      entry.state = this.fold.evolve(entry.state, event, seq);
      entry.version = seq;
    }
    this.remember(subject, entry);
    return entry;
  }

  /**
   * Folds an event appended or received at `seq` whose stream predecessor is
   * `prev`. Returns false, changing nothing, when it does not directly follow
   * the cached version (a missed event); true when folded or already folded.
   */
  apply(subject: string, event: E, seq: number, prev: number): boolean {
    const entry = this.entries.get(subject) ?? (prev === 0 ? { state: this.fold.initial(), version: 0 } : undefined);
    if (!entry) return false;
    if (seq <= entry.version) return true;
    if (prev !== entry.version) return false;
    entry.state = this.fold.evolve(entry.state, event, seq);
    entry.version = seq;
    this.remember(subject, entry);
    return true;
  }

  forget(subject: string): void {
    this.entries.delete(subject);
  }

  private remember(subject: string, entry: Folded<S>): void {
    this.entries.delete(subject);
    this.entries.set(subject, entry);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
  }
}
