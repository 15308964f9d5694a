import { isCommandId, isId, streamOf } from '@parley/domain';
import type { DecodedEvent } from '@parley/contracts';

/**
 * Wire protocol v1: JSON text frames `{ "op": ..., ... }` (docs/protocol.md).
 * Client frames are parsed strictly; anything else gets an error frame.
 */
export const PROTOCOL_VERSION = 1;

export type ClientFrame =
  | { op: 'command'; id: string; type: string; data: unknown }
  | { op: 'subscribe'; guildId: string }
  | { op: 'typing'; guildId: string; channelId: string }
  | { op: 'presence'; status: 'online' | 'idle' }
  | { op: 'ping' };

/**
 * Close codes: 4000-4099 mean "reconnect (after fixing what the reason says)", 4100-4199 "do not reconnect";
 * where RFC 6455 has a code for the case, that code.
 */
export const CLOSE = {
  frameTooLarge: { code: 1009, reason: 'frame too large' },
  tokenExpired: { code: 4001, reason: 'token expired: reconnect with a fresh token' },
  draining: { code: 4003, reason: 'node is draining: reconnect to another node' },
  unavailable: { code: 4004, reason: 'a backing service is unavailable: reconnect later' },
  sessionRevoked: { code: 4005, reason: 'session revoked: log in again' },
} as const;

export class FrameError extends Error {
  override readonly name = 'FrameError';
  constructor(readonly code: string, message: string, readonly id?: string) {
    super(message);
  }
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export function parseClientFrame(text: string): ClientFrame {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new FrameError('frame.invalid_json', 'frame is not valid JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new FrameError('frame.not_object', 'frame must be a JSON object');
  }
  const frame = value as Record<string, unknown>;
  for (const key of Object.keys(frame)) {
    if (FORBIDDEN_KEYS.has(key)) throw new FrameError('frame.forbidden_key', `frame may not contain the key "${key}"`);
  }
  const only = (allowed: string[]) => {
    const extra = Object.keys(frame).find((key) => !allowed.includes(key));
    if (extra !== undefined) throw new FrameError('frame.unknown_field', `unknown field "${extra.slice(0, 40)}" for op ${String(frame['op'])}`);
  };
  switch (frame['op']) {
    case 'command': {
      only(['op', 'id', 'type', 'data']);
      if (!isCommandId(frame['id'])) throw new FrameError('command.invalid_id', 'id must match [A-Za-z0-9_-]{8,64}');
      if (typeof frame['type'] !== 'string') throw new FrameError('command.invalid_type', 'type must be a string', frame['id']);
      return { op: 'command', id: frame['id'], type: frame['type'], data: frame['data'] };
    }
    case 'subscribe':
      only(['op', 'guildId']);
      if (!isId(frame['guildId'])) throw new FrameError('subscribe.invalid_guild', 'guildId must match [A-Za-z0-9_-]{1,64}');
      return { op: 'subscribe', guildId: frame['guildId'] };
    case 'typing':
      only(['op', 'guildId', 'channelId']);
      if (!isId(frame['guildId']) || !isId(frame['channelId'])) {
        throw new FrameError('typing.invalid', 'guildId and channelId must match [A-Za-z0-9_-]{1,64}');
      }
      return { op: 'typing', guildId: frame['guildId'], channelId: frame['channelId'] };
    case 'presence':
      only(['op', 'status']);
      if (frame['status'] !== 'online' && frame['status'] !== 'idle') throw new FrameError('presence.invalid', 'status must be "online" or "idle"');
      return { op: 'presence', status: frame['status'] };
    case 'ping':
      only(['op']);
      return { op: 'ping' };
    default:
      throw new FrameError('frame.unknown_op', `unknown op ${JSON.stringify(String(frame['op'])).slice(0, 40)}`);
  }
}

/** An event as clients see it: its cursor, and `prev` (the previous cursor on the same stream) to detect gaps. */
export function eventPayload(seq: number, decoded: DecodedEvent) {
  const { meta, event } = decoded;
  const ref = streamOf(event);
  return {
    cursor: seq,
    prev: meta.prev,
    stream: ref.kind === 'guild' ? `guild:${ref.guildId}` : ref.kind === 'channel' ? `channel:${ref.channelId}` : `user:${ref.userId}`,
    guildId: 'guildId' in event.data ? event.data.guildId : null,
    type: event.type,
    id: meta.eventId,
    time: meta.time,
    actorId: meta.actorId,
    data: event.data,
  };
}

export function errorFrame(code: string, message: string, id?: string): string {
  return JSON.stringify(id === undefined ? { op: 'error', code, message } : { op: 'error', code, message, id });
}
