import type { Codec } from '@parley/contracts';
import { evolveGuild, initialGuildState, isGuildEvent, type GuildState } from '@parley/domain';
import type { Names } from '@parley/platform';
import type { EventLog } from './event-log.ts';

export type GuildEntry = { state: GuildState; version: number };

/**
 * Cached aggregate states and stream versions. The handler is the only
 * writer it knows of; if another writer appended meanwhile, the append's
 * `expect.lastSubjectSequence` fails and `refresh*` catches up from the log.
 * Bounded: the least recently loaded entries are dropped past `capacity`.
 */
export class Aggregates {
  private readonly guilds = new Map<string, GuildEntry>();
  private readonly channels = new Map<string, number>();

  constructor(
    private readonly log: EventLog,
    private readonly codec: Codec,
    private readonly names: Names,
    private readonly capacity = 10_000,
  ) {}

  async guild(guildId: string): Promise<GuildEntry> {
    const cached = this.guilds.get(guildId);
    if (cached) return cached;
    return this.refreshGuild(guildId);
  }

  async refreshGuild(guildId: string): Promise<GuildEntry> {
    const entry = this.guilds.get(guildId) ?? { state: initialGuildState(), version: 0 };
    const subject = this.names.guildSubject(guildId);
    const last = await this.log.lastSeq(subject);
    for await (const { seq, data } of this.log.read(subject, entry.version, last)) {
      const { event } = this.codec.decodeEvent(data);
      if (!isGuildEvent(event)) throw new Error(`unexpected ${event.type} on ${subject}`);
      entry.state = evolveGuild(entry.state, event);
      entry.version = seq;
    }
    remember(this.guilds, guildId, entry, this.capacity);
    return entry;
  }

  /** Caches a state the handler itself just advanced by appending. */
  advanceGuild(guildId: string, entry: GuildEntry): void {
    remember(this.guilds, guildId, entry, this.capacity);
  }

  async channelVersion(subject: string): Promise<number> {
    const cached = this.channels.get(subject);
    return cached ?? this.refreshChannel(subject);
  }

  async refreshChannel(subject: string): Promise<number> {
    const version = await this.log.lastSeq(subject);
    remember(this.channels, subject, version, this.capacity * 10);
    return version;
  }

  advanceChannel(subject: string, version: number): void {
    remember(this.channels, subject, version, this.capacity * 10);
  }
}

function remember<V>(map: Map<string, V>, key: string, value: V, capacity: number): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > capacity) map.delete(map.keys().next().value as string);
}
