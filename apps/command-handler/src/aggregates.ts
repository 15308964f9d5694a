import type { Codec } from '@parley/contracts';
import type { ChannelMessages, GuildEvent, GuildState, MessageEvent } from '@parley/domain';
import { guildFold, messagesFold, StreamStates, type EventLog } from '@parley/event-store';

/**
 * The states the handler decides against, folded from the log and cached:
 * each guild's own stream, and each channel's messages. The handler is the
 * only writer it knows of; if another appended meanwhile, the append's
 * `expect.lastSubjectSequence` fails and the state is refreshed from the log.
 * Keys are event log subjects.
 */
export class Aggregates {
  readonly guilds: StreamStates<GuildState, GuildEvent>;
  readonly channels: StreamStates<ChannelMessages, MessageEvent>;

  constructor(log: EventLog, codec: Codec) {
    this.guilds = new StreamStates(log, codec, guildFold);
    this.channels = new StreamStates(log, codec, messagesFold, 100_000);
  }
}
