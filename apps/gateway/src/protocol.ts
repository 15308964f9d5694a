import { isCommandId, isId, streamOf } from '@parley/domain';
import type { DecodedEvent } from '@parley/contracts';

/**
 * Wire protocol v2: JSON text frames `{ "op": ..., ... }` (docs/protocol.md,
 * docs/asyncapi.yaml). Client frames are parsed strictly; anything else gets
 * an error frame and changes nothing.
 */
export const PROTOCOL_VERSION = 2;

/** A client's place in the log: the last cursor it applied for its own stream and for each guild. */
export type Cursors = { user: number; guilds: Map<string, number> };

export type ClientFrame =
  | { op: 'identify'; token: string | null }
  | { op: 'resume'; token: string | null; session: string; epoch: string; cursors: Cursors }
  | { op: 'heartbeat' }
  | { op: 'command'; id: string; type: string; data: unknown }
  | { op: 'subscribe'; guildId: string; after: number | null }
  | { op: 'unsubscribe'; guildId: string }
  | { op: 'replay'; id: string; guildId: string; channelId: string; after: number; until: number | null }
  | { op: 'typing'; guildId: string; channelId: string }
  | { op: 'presence'; status: 'online' | 'idle' };

/**
 * Close codes. 4000-4099: reconnect (after doing what the reason says, and
 * resume); 4100-4199: do not reconnect as you were. Where RFC 6455 has a
 * code for the case, that code (1009: do not resend that frame).
 */
export const CLOSE = {
  frameTooLarge: { code: 1009, reason: 'frame too large' },
  tokenExpired: { code: 4001, reason: 'token expired: reconnect with a fresh token and resume' },
  notIdentified: { code: 4002, reason: 'no identify or resume in time: reconnect and identify' },
  draining: { code: 4003, reason: 'node is draining: reconnect to another node and resume' },
  unavailable: { code: 4004, reason: 'a backing service is unavailable: reconnect later and resume' },
  sessionRevoked: { code: 4005, reason: 'session revoked: log in again' },
  tooSlow: { code: 4008, reason: 'too slow: the socket fell too far behind; reconnect and resume' },
  flooding: { code: 4009, reason: 'too many frames over the rate limit: reconnect later, slower' },
  wrongUser: { code: 4101, reason: 'a token of another user on this connection' },
} as const;

/** Guilds one connection may watch (subscriptions, and guilds named in a resume). */
export const MAX_GUILDS_PER_CONNECTION = 200;

/** Events one `replay` answer carries; the client asks again from the last cursor for more. */
export const REPLAY_PAGE = 200;

export class FrameError extends Error {
  override readonly name = 'FrameError';
  constructor(
    readonly code: string,
    message: string,
    readonly id?: string,
    /** For rate limits: when a retry can succeed. */
    readonly retryAfterMs?: number,
  ) {
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
  const op = frame['op'];
  switch (op) {
    case 'identify':
      only(['op', 'token']);
      return { op, token: optionalToken(frame['token']) };
    case 'resume': {
      only(['op', 'token', 'session', 'epoch', 'cursors']);
      if (typeof frame['session'] !== 'string' || frame['session'].length > 200) throw new FrameError('resume.invalid_session', 'session must be the session string from ready');
      if (typeof frame['epoch'] !== 'string' || frame['epoch'].length > 100) throw new FrameError('resume.invalid_epoch', 'epoch must be the epoch string from ready');
      return { op, token: optionalToken(frame['token']), session: frame['session'], epoch: frame['epoch'], cursors: parseCursors(frame['cursors']) };
    }
    case 'heartbeat':
      only(['op']);
      return { op };
    case 'command': {
      only(['op', 'id', 'type', 'data']);
      if (!isCommandId(frame['id'])) throw new FrameError('command.invalid_id', 'id must match [A-Za-z0-9_-]{8,64}');
      if (typeof frame['type'] !== 'string') throw new FrameError('command.invalid_type', 'type must be a string', frame['id']);
      return { op, id: frame['id'], type: frame['type'], data: frame['data'] };
    }
    case 'subscribe':
      only(['op', 'guildId', 'after']);
      return { op, guildId: guildIdOf(frame, 'subscribe'), after: frame['after'] === undefined ? null : cursor(frame['after'], 'subscribe.invalid_cursor', 'after') };
    case 'unsubscribe':
      only(['op', 'guildId']);
      return { op, guildId: guildIdOf(frame, 'unsubscribe') };
    case 'replay': {
      only(['op', 'id', 'guildId', 'channelId', 'after', 'until']);
      if (!isCommandId(frame['id'])) throw new FrameError('replay.invalid_id', 'id must match [A-Za-z0-9_-]{8,64}');
      const id = frame['id'];
      if (!isId(frame['guildId']) || !isId(frame['channelId'])) throw new FrameError('replay.invalid', 'guildId and channelId must match [A-Za-z0-9_-]{1,64}', id);
      const after = cursor(frame['after'], 'replay.invalid_cursor', 'after', id);
      const until = frame['until'] === undefined ? null : cursor(frame['until'], 'replay.invalid_cursor', 'until', id);
      if (until !== null && until < after) throw new FrameError('replay.invalid_cursor', 'until must not be before after', id);
      return { op, id, guildId: frame['guildId'], channelId: frame['channelId'], after, until };
    }
    case 'typing':
      only(['op', 'guildId', 'channelId']);
      if (!isId(frame['guildId']) || !isId(frame['channelId'])) {
        throw new FrameError('typing.invalid', 'guildId and channelId must match [A-Za-z0-9_-]{1,64}');
      }
      return { op, guildId: frame['guildId'], channelId: frame['channelId'] };
    case 'presence':
      only(['op', 'status']);
      if (frame['status'] !== 'online' && frame['status'] !== 'idle') throw new FrameError('presence.invalid', 'status must be "online" or "idle"');
      return { op, status: frame['status'] };
    default:
      throw new FrameError('frame.unknown_op', `unknown op ${JSON.stringify(String(op)).slice(0, 40)}`);
  }
}

function optionalToken(value: unknown): string | null {
  if (value === undefined) return null;
  if (typeof value !== 'string' || value.length === 0 || value.length > 8192) throw new FrameError('identify.invalid_token', 'token must be a non-empty string of at most 8192 characters');
  return value;
}

function guildIdOf(frame: Record<string, unknown>, op: string): string {
  if (!isId(frame['guildId'])) throw new FrameError(`${op}.invalid_guild`, 'guildId must match [A-Za-z0-9_-]{1,64}');
  return frame['guildId'];
}

/** A cursor is an event log sequence: a whole number from 0 up to 2^53-1. */
function cursor(value: unknown, code: string, field: string, id?: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new FrameError(code, `${field} must be a cursor: a whole number from 0 to ${Number.MAX_SAFE_INTEGER}`, id);
  }
  return value;
}

function parseCursors(value: unknown): Cursors {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new FrameError('resume.invalid_cursors', 'cursors must be an object { user, guilds }');
  const record = value as Record<string, unknown>;
  const extra = Object.keys(record).find((key) => key !== 'user' && key !== 'guilds');
  if (extra !== undefined) throw new FrameError('resume.invalid_cursors', `unknown field "${extra.slice(0, 40)}" in cursors`);
  const guilds = record['guilds'];
  if (guilds === null || typeof guilds !== 'object' || Array.isArray(guilds)) throw new FrameError('resume.invalid_cursors', 'cursors.guilds must be an object of guild id -> cursor');
  const entries = Object.entries(guilds);
  if (entries.length > MAX_GUILDS_PER_CONNECTION) throw new FrameError('resume.too_many_guilds', `at most ${MAX_GUILDS_PER_CONNECTION} guilds per connection`);
  const map = new Map<string, number>();
  for (const [guildId, at] of entries) {
    if (!isId(guildId)) throw new FrameError('resume.invalid_cursors', 'guild ids in cursors.guilds must match [A-Za-z0-9_-]{1,64}');
    map.set(guildId, cursor(at, 'resume.invalid_cursors', `cursors.guilds.${guildId}`));
  }
  return { user: cursor(record['user'], 'resume.invalid_cursors', 'cursors.user'), guilds: map };
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

/** An `event` frame: what every delivery of an event sends, live or replayed. */
export function eventFrame(seq: number, decoded: DecodedEvent): string {
  return JSON.stringify({ op: 'event', ...eventPayload(seq, decoded) });
}

export function errorFrame(code: string, message: string, id?: string, retryAfterMs?: number): string {
  return JSON.stringify({ op: 'error', code, message, ...(id === undefined ? {} : { id }), ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });
}
