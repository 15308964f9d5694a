import { jetstream, type JetStreamClient, type JsMsg, type PubAck } from '@nats-io/jetstream';
import type { Codec, CommandOutcome, DecodedCommand } from '@parley/contracts';
import {
  commandFromLog,
  conflict,
  decide,
  DomainError,
  initialGuildState,
  isAccountCommand,
  isGuildEvent,
  isMessageCommand,
  isMessageEvent,
  isUserEvent,
  notFound,
  streamOf,
  type ParleyCommand,
} from '@parley/domain';
import type { EventLog } from '@parley/event-store';
import { newId, newInviteCode, type Logger, type Names, type NatsConnection } from '@parley/platform';
import type { Aggregates } from './aggregates.ts';
import { Stores } from './stores.ts';

export type HandlerDeps = {
  nc: NatsConnection;
  names: Names;
  codec: Codec;
  aggregates: Aggregates;
  stores: Stores;
  eventLog: EventLog;
  logger: Logger;
};

/** Deliveries of one command before an infrastructure failure becomes a rejection. */
const MAX_ATTEMPTS = 5;

type Accepted = Extract<CommandOutcome, { status: 'accepted' }>;
/** Decide-and-append rounds when other writers keep moving the stream (with jittered backoff). */
const MAX_CONFLICTS = 25;
const WRONG_LAST_SEQUENCE = 10071;

/**
 * Handles one command from the command log: outcome store (retries) ->
 * parse -> load state -> decide -> append with expected last sequence and a
 * message id derived from the command id -> save and publish the outcome ->
 * ack. A rejection is an outcome like any other (promise 1); only
 * infrastructure failures leave the command unacked for redelivery.
 */
export class CommandProcessor {
  private readonly js: JetStreamClient;

  constructor(private readonly deps: HandlerDeps) {
    this.js = jetstream(deps.nc);
  }

  async handle(message: JsMsg): Promise<void> {
    let command: DecodedCommand;
    try {
      command = this.deps.codec.decodeCommand(message.data);
    } catch (error) {
      // Only the gateway writes this log; bytes it cannot have written have no one to answer.
      this.deps.logger.error({ err: error, seq: message.seq }, 'undecodable command; terminating it');
      message.term();
      return;
    }
    const { commandId, userId } = command.meta;
    const log = this.deps.logger.child({ commandId, userId, type: command.type });
    try {
      await this.process(message, command, log);
    } catch (error) {
      // Infrastructure trouble (NATS, KV): leave the command to be redelivered; the in-flight
      // record makes the next attempt answer with whatever this one managed to append.
      log.warn({ err: error, attempt: message.info.deliveryCount }, 'command failed; will retry');
      message.nak(200 * message.info.deliveryCount);
    }
  }

  private async process(message: JsMsg, command: DecodedCommand, log: Logger): Promise<void> {
    const { codec, stores } = this.deps;
    const { commandId, userId } = command.meta;
    const stored = await stores.outcome(userId, commandId);
    if (stored) {
      log.info('command seen before; replaying its outcome');
      this.reply(command, stored);
      message.ack();
      return;
    }
    let outcome: CommandOutcome;
    try {
      const landed = message.info.deliveryCount > 1 ? await this.landedEarlier(command) : null;
      if (landed) log.info({ seq: landed.seq }, 'redelivered command had already appended its event');
      outcome = landed ?? (await this.decideAndAppend(command, commandFromLog(command.type, command.data), log));
    } catch (error) {
      if (!(error instanceof DomainError) && message.info.deliveryCount < MAX_ATTEMPTS) throw error;
      if (!(error instanceof DomainError)) log.error({ err: error }, 'command failed repeatedly; rejecting it');
      outcome = rejection(command, error);
    }
    const bytes = codec.encodeOutcome(outcome);
    await stores.saveOutcome(userId, commandId, bytes);
    this.reply(command, bytes);
    message.ack();
    if (outcome.status === 'accepted') log.info({ seq: outcome.seq, event: outcome.eventType }, 'accepted');
    else log.info({ code: outcome.code }, 'rejected');
  }

  private reply(command: DecodedCommand, bytes: Uint8Array): void {
    const prefix = `${this.deps.names.namespace}.outcome.`;
    if (command.meta.replyTo.startsWith(prefix)) this.deps.nc.publish(command.meta.replyTo, bytes);
  }

  private async decideAndAppend(decoded: DecodedCommand, command: ParleyCommand, log: Logger): Promise<CommandOutcome> {
    const { aggregates, names, codec, stores } = this.deps;
    const { commandId, userId, time } = decoded.meta;
    for (let attempt = 1; attempt <= MAX_CONFLICTS; attempt++) {
      const guildId = await this.routeToGuild(command);
      const guild = guildId === null ? { state: initialGuildState(), version: 0 } : await this.currentGuild(guildId, command);
      const messages = isMessageCommand(command)
        ? await aggregates.channels.get(names.channelSubject(command.data.guildId, command.data.channelId))
        : undefined;
      const user = isAccountCommand(command) ? await aggregates.users.get(names.userSubject(userId)) : undefined;
      const meta = { actorId: userId, now: time, ids: [newId(time), newId(time), newId(time)], inviteCode: newInviteCode() };
      const event = decide(command, { guild: guild.state, messages: messages?.state, user: user?.state }, meta);
      if (event.type === 'InviteCreated') await stores.saveInvite(event.data.code, event.data.guildId);
      const stream = streamOf(event);
      const subject = names.streamSubject(stream);
      // The stream the event goes to: already loaded to decide (guild, channel), or loaded now (user).
      const target = stream.kind === 'guild' ? guild : stream.kind === 'channel' ? messages! : await aggregates.users.get(subject);
      const expected = target.version;
      const eventId = newId(time);
      const bytes = codec.encodeEvent({ eventId, time, causationId: commandId, actorId: userId, prev: expected }, event);
      await stores.markInflight(userId, commandId, { subject, expected, eventId });
      let ack: PubAck;
      try {
        ack = await this.js.publish(subject, bytes, { msgID: `${userId}:${commandId}`, expect: { lastSubjectSequence: expected } });
      } catch (error) {
        if ((error as { code?: number }).code !== WRONG_LAST_SEQUENCE) throw error;
        log.debug({ attempt, subject }, 'stream moved on; catching up and deciding again');
        await (stream.kind === 'guild' ? aggregates.guilds : stream.kind === 'channel' ? aggregates.channels : aggregates.users).refresh(subject);
        await new Promise((resolve) => setTimeout(resolve, Math.random() * attempt));
        continue;
      }
      if (ack.duplicate) return this.accepted(decoded, ack.seq, await this.deps.eventLog.bySeq(ack.seq));
      if (isUserEvent(event)) aggregates.users.apply(subject, event, ack.seq, expected);
      else if (isMessageEvent(event)) aggregates.channels.apply(subject, event, ack.seq, expected);
      else if (isGuildEvent(event)) aggregates.guilds.apply(subject, event, ack.seq, expected);
      return { commandId, userId, status: 'accepted', seq: ack.seq, eventType: event.type, eventId, event: bytes };
    }
    throw conflict('command.contended', 'the target changed too often while deciding; retry the command');
  }

  /**
   * The guild's state to decide against. A message command appends to its
   * channel's stream, so a conditional append cannot catch a guild state that
   * another handler instance moved on (a kick, a new overwrite): for those,
   * the cached state is checked against the guild stream's last sequence (one
   * direct get) and caught up when behind. Guild commands need no check:
   * their own append is conditional on that very stream.
   */
  private async currentGuild(guildId: string, command: ParleyCommand) {
    const { aggregates, names, eventLog } = this.deps;
    const subject = names.guildSubject(guildId);
    const entry = await aggregates.guilds.get(subject);
    if (!isMessageCommand(command) || (await eventLog.lastSeq(subject)) === entry.version) return entry;
    return aggregates.guilds.refresh(subject);
  }

  private async routeToGuild(command: ParleyCommand): Promise<string | null> {
    if (isAccountCommand(command)) return null;
    switch (command.type) {
      case 'CreateGuild':
        return null;
      case 'JoinGuild': {
        const guildId = await this.deps.stores.guildOfInvite(command.data.code);
        if (guildId === null) throw notFound('invite.not_found', 'no such invite');
        return guildId;
      }
      default:
        return command.data.guildId;
    }
  }

  /**
   * After a crash around an append: did the attempt recorded in flight land?
   * The event it would have become is the first on its subject after the
   * expected sequence; its event id says whether it is ours.
   */
  private async landedEarlier(decoded: DecodedCommand): Promise<Accepted | null> {
    const { userId, commandId } = decoded.meta;
    const inflight = await this.deps.stores.inflight(userId, commandId);
    if (!inflight) return null;
    const next = await this.deps.eventLog.nextOnSubject(inflight.subject, inflight.expected + 1);
    if (!next || this.deps.codec.decodeEvent(next.data).meta.eventId !== inflight.eventId) return null;
    return this.accepted(decoded, next.seq, next.data);
  }

  /** The outcome for this command's event as stored at `seq`: decided once, answered as often as asked. */
  private accepted(decoded: DecodedCommand, seq: number, bytes: Uint8Array): Accepted {
    const { meta, event } = this.deps.codec.decodeEvent(bytes);
    const { commandId, userId } = decoded.meta;
    return { commandId, userId, status: 'accepted', seq, eventType: event.type, eventId: meta.eventId, event: Buffer.from(bytes) };
  }
}

function rejection(command: DecodedCommand, error: unknown): CommandOutcome {
  const { commandId, userId } = command.meta;
  if (error instanceof DomainError) {
    return { commandId, userId, status: 'rejected', statusCode: error.status, code: error.code, message: error.message };
  }
  return { commandId, userId, status: 'rejected', statusCode: 500, code: 'internal.error', message: 'the command could not be processed' };
}
