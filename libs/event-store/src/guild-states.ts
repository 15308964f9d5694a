import type { Codec } from '@parley/contracts';
import { evolveGuild, initialGuildState, isGuildEvent, type GuildEvent, type GuildState } from '@parley/domain';
import type { Names } from '@parley/platform';
import type { EventLog } from './event-log.ts';

/** A guild's folded state and the event log sequence of the last event folded in. */
export type GuildEntry = { state: GuildState; version: number };

/**
 * Guild states folded from each guild's own stream, cached (bounded: the
 * least recently loaded go first). Writers and readers keep an entry current
 * by applying the events they append or receive; `apply` refuses an event
 * that does not follow the entry's version (its `prev` says so), and the
 * caller refreshes from the log instead of folding onto a gap.
 */
export class GuildStates {
  private readonly entries = new Map<string, GuildEntry>();

  constructor(
    private readonly log: EventLog,
    private readonly codec: Codec,
    private readonly names: Names,
    private readonly capacity = 10_000,
  ) {}

  async get(guildId: string): Promise<GuildEntry> {
    return this.entries.get(guildId) ?? this.refresh(guildId);
  }

  /** Catches the entry up with the log (a cold load when there is none). */
  async refresh(guildId: string): Promise<GuildEntry> {
    const entry = this.entries.get(guildId) ?? { state: initialGuildState(), version: 0 };
    const subject = this.names.guildSubject(guildId);
    const last = await this.log.lastSeq(subject);
    for await (const { seq, data } of this.log.read(subject, entry.version, last)) {
      const { event } = this.codec.decodeEvent(data);
      if (!isGuildEvent(event)) throw new Error(`unexpected ${event.type} on ${subject}`);
      entry.state = evolveGuild(entry.state, event);
      entry.version = seq;
    }
    this.remember(guildId, entry);
    return entry;
  }

  /**
   * Folds an event appended or received at `seq` whose stream predecessor is
   * `prev`. Returns false, changing nothing, when it does not directly follow
   * the cached version (a missed event); true when folded or already folded.
   */
  apply(guildId: string, event: GuildEvent, seq: number, prev: number): boolean {
    const entry = this.entries.get(guildId) ?? (prev === 0 ? { state: initialGuildState(), version: 0 } : undefined);
    if (!entry) return false;
    if (seq <= entry.version) return true;
    if (prev !== entry.version) return false;
    entry.state = evolveGuild(entry.state, event);
    entry.version = seq;
    this.remember(guildId, entry);
    return true;
  }

  forget(guildId: string): void {
    this.entries.delete(guildId);
  }

  private remember(guildId: string, entry: GuildEntry): void {
    this.entries.delete(guildId);
    this.entries.set(guildId, entry);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
  }
}
