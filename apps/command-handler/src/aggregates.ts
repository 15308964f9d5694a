import type { Codec } from '@parley/contracts';
import { GuildStates, type EventLog, type GuildEntry } from '@parley/event-store';
import type { Names } from '@parley/platform';

export type { GuildEntry };

/**
 * What the handler decides against: guild states, and the last sequence of
 * each channel stream (messages need no folded state, only a version for
 * optimistic concurrency). The handler is the only writer it knows of; if
 * another appended meanwhile, the append's `expect.lastSubjectSequence`
 * fails and `refresh*` catches up from the log.
 */
export class Aggregates {
  readonly guilds: GuildStates;
  private readonly channels = new Map<string, number>();

  constructor(
    private readonly log: EventLog,
    codec: Codec,
    names: Names,
    private readonly capacity = 100_000,
  ) {
    this.guilds = new GuildStates(log, codec, names);
  }

  async channelVersion(subject: string): Promise<number> {
    return this.channels.get(subject) ?? this.refreshChannel(subject);
  }

  async refreshChannel(subject: string): Promise<number> {
    const version = await this.log.lastSeq(subject);
    this.advanceChannel(subject, version);
    return version;
  }

  advanceChannel(subject: string, version: number): void {
    this.channels.delete(subject);
    this.channels.set(subject, version);
    if (this.channels.size > this.capacity) this.channels.delete(this.channels.keys().next().value as string);
  }
}
