import type { Codec } from '@parley/contracts';
import type { ChannelMessages, GuildEvent, GuildState, MessageEvent, UserEvent, UserState } from '@parley/domain';
import { guildFold, messagesFold, StreamStates, userFold, type EventLog } from '@parley/event-store';

/**
 * The states the handler decides against, folded from the log and cached:
 * each guild's own stream, each channel's messages, each user's own stream. The handler is the
 * only writer it knows of; if another appended meanwhile, the append's
 * `expect.lastSubjectSequence` fails and the state is refreshed from the log.
 * Keys are event log subjects.
 */
export class Aggregates {
  readonly guilds: StreamStates<GuildState, GuildEvent>;
  readonly channels: StreamStates<ChannelMessages, MessageEvent>;
  readonly users: StreamStates<UserState, UserEvent>;

  constructor(log: EventLog, codec: Codec) {
    this.guilds = new StreamStates(log, codec, guildFold);
    this.channels = new StreamStates(log, codec, messagesFold, 100_000);
    this.users = new StreamStates(log, codec, userFold, 100_000);
  }
}
