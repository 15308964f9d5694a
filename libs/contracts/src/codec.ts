import type { ParleyCommand, ParleyEvent } from '@parley/domain';
import { DEFAULT_SCHEMAS_DIR, SchemaError, SchemaRegistry } from './schema-registry.ts';

export type EventMeta = {
  eventId: string;
  time: number;
  causationId: string;
  actorId: string;
  /** Event log sequence of the previous event on the same subject; 0 for the first. */
  prev: number;
};
export type DecodedEvent = { meta: EventMeta & { version: number }; event: ParleyEvent };

export type CommandMeta = { commandId: string; userId: string; time: number; replyTo: string };
export type DecodedCommand = { meta: CommandMeta & { version: number }; type: string; data: unknown };

export type CommandOutcome =
  | { commandId: string; userId: string; status: 'accepted'; seq: number; eventType: string; eventId: string; event: Buffer }
  | { commandId: string; userId: string; status: 'rejected'; statusCode: number; code: string; message: string };

type OutcomeRecord = {
  commandId: string;
  userId: string;
  status: 'accepted' | 'rejected';
  seq: number;
  eventType: string | null;
  eventId: string | null;
  event: Buffer | null;
  code: string | null;
  statusCode: number;
  message: string | null;
};

/**
 * Binary Avro codecs for everything Parley puts on NATS. Envelopes carry the
 * type and schema version of their payload; decoding always yields the
 * latest version's shape, so consumers handle one shape per type.
 */
export class Codec {
  private readonly envelopes: SchemaRegistry;
  private readonly events: SchemaRegistry;
  private readonly commands: SchemaRegistry;

  constructor(schemasDir: string = DEFAULT_SCHEMAS_DIR) {
    this.envelopes = new SchemaRegistry(schemasDir, 'envelope');
    this.events = new SchemaRegistry(schemasDir, 'events');
    this.commands = new SchemaRegistry(schemasDir, 'commands');
  }

  encodeEvent(meta: EventMeta, event: ParleyEvent): Buffer {
    return this.wrap('EventEnvelope', this.events, meta, event.type, event.data);
  }

  decodeEvent(bytes: Uint8Array): DecodedEvent {
    const { meta, type, data } = this.unwrap<EventMeta>('EventEnvelope', this.events, bytes);
    return { meta, event: { type, data } as ParleyEvent };
  }

  encodeCommand(meta: CommandMeta, command: ParleyCommand): Buffer {
    return this.wrap('CommandEnvelope', this.commands, meta, command.type, command.data);
  }

  /** Returns the command's data as plain values (nested records too) in the latest schema's shape. */
  decodeCommand(bytes: Uint8Array): DecodedCommand {
    return this.unwrap<CommandMeta>('CommandEnvelope', this.commands, bytes);
  }

  /** An envelope record holding `meta`, the payload's type and schema version, and the payload's Avro bytes. */
  private wrap(envelope: string, payloads: SchemaRegistry, meta: object, type: string, data: unknown): Buffer {
    const { version, bytes } = payloads.encode(type, data);
    return this.envelopes.encodeTagged(envelope, { ...meta, type, version, payload: bytes });
  }

  /** The inverse of wrap; the payload comes back in its latest schema's shape, as a plain object. */
  private unwrap<M>(envelope: string, payloads: SchemaRegistry, bytes: Uint8Array) {
    const record = this.envelopes.decodeTagged(envelope, bytes) as M & { type: string; version: number; payload: Buffer };
    const { type, version, payload, ...meta } = record;
    const data = plain(payloads.decode(type, version, payload)) as object;
    return { meta: { ...(meta as M), version }, type, data };
  }

  encodeOutcome(outcome: CommandOutcome): Buffer {
    const record: OutcomeRecord =
      outcome.status === 'accepted'
        ? { ...outcome, code: null, message: null, statusCode: 200 }
        : { ...outcome, seq: 0, eventType: null, eventId: null, event: null };
    return this.envelopes.encodeTagged('CommandOutcome', record);
  }

  decodeOutcome(bytes: Uint8Array): CommandOutcome {
    const r = this.envelopes.decodeTagged('CommandOutcome', bytes) as OutcomeRecord;
    if (r.status === 'accepted') {
      if (r.eventType === null || r.eventId === null || r.event === null) throw new SchemaError('accepted outcome without its event');
      const { commandId, userId, seq, eventType, eventId, event } = r;
      return { commandId, userId, status: 'accepted', seq, eventType, eventId, event };
    }
    return {
      commandId: r.commandId,
      userId: r.userId,
      status: 'rejected',
      statusCode: r.statusCode,
      code: r.code ?? 'unknown',
      message: r.message ?? '',
    };
  }

  /** Registries, for tooling that checks schema evolution (fixtures). */
  registries(): Record<'envelope' | 'events' | 'commands', SchemaRegistry> {
    return { envelope: this.envelopes, events: this.events, commands: this.commands };
  }
}

/**
 * avsc decodes records, nested ones too (a command's `{ to }` change), into
 * instances of generated classes. Consumers get plain objects and arrays:
 * what JSON would give, and what parseCommand's strict readers expect.
 */
function plain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plain);
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, plain(field)]));
}
