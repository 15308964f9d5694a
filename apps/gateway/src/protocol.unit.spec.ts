import { describe, expect, it } from 'vitest';
import { FrameError, MAX_GUILDS_PER_CONNECTION, parseClientFrame } from './protocol.ts';

// Promise 7 at the frame parser: every client frame, with each field missing,
// wrong-typed, negative, huge, not a number or joined by an extra field, is
// refused with a FrameError naming the problem; a valid frame parses to
// exactly its fields.
const G = '01M80H4F19SW23636PQS1XERNB';
const C = '01M80H4F19H8Y3BNRBKTBMSBK5';

const VALID: Record<string, Record<string, unknown>> = {
  identify: { op: 'identify', token: 'a.b.c' },
  resume: { op: 'resume', token: 'a.b.c', session: 'alice.01M8', epoch: '2026-11-22T00:00:00Z', cursors: { user: 3, guilds: { [G]: 7 } } },
  heartbeat: { op: 'heartbeat' },
  command: { op: 'command', id: 'cmd-00000001', type: 'PostMessage', data: { guildId: G, channelId: C, content: 'hi' } },
  subscribe: { op: 'subscribe', guildId: G, after: 5 },
  unsubscribe: { op: 'unsubscribe', guildId: G },
  replay: { op: 'replay', id: 'replay-00000001', guildId: G, channelId: C, after: 1, until: 9 },
  typing: { op: 'typing', guildId: G, channelId: C },
  presence: { op: 'presence', status: 'idle' },
};

/** Fields a frame cannot do without. */
const REQUIRED: Record<string, string[]> = {
  identify: [],
  resume: ['session', 'epoch', 'cursors'],
  heartbeat: [],
  command: ['id', 'type'],
  subscribe: ['guildId'],
  unsubscribe: ['guildId'],
  replay: ['id', 'guildId', 'channelId', 'after'],
  typing: ['guildId', 'channelId'],
  presence: ['status'],
};

/** Wrong values for each field (as they arrive in JSON text; 1e999 parses to Infinity). */
const WRONG: Record<string, string[]> = {
  token: ['""', '5', 'null', '[]', '{}', JSON.stringify('x'.repeat(9000))],
  session: ['5', 'null', '[]', JSON.stringify('s'.repeat(300))],
  epoch: ['5', 'null', '{}', JSON.stringify('e'.repeat(200))],
  cursors: ['5', 'null', '[]', '"x"', '{}', '{"user":1}', '{"user":1,"guilds":[]}', '{"user":-1,"guilds":{}}', '{"user":1,"guilds":{},"x":1}', `{"user":1,"guilds":{"a.b":1}}`, `{"user":1,"guilds":{"${G}":"7"}}`, `{"user":1.5,"guilds":{}}`, `{"user":1e999,"guilds":{}}`],
  id: ['5', 'null', '"short"', '"has space in it"', JSON.stringify('i'.repeat(65))],
  type: ['5', 'null', '[]'],
  guildId: ['5', 'null', '""', '"a.b"', '"*"', '">"', '"a b"', '"a\\r\\nb"', JSON.stringify('g'.repeat(65))],
  channelId: ['5', 'null', '"a.b"', '"*"', JSON.stringify('c'.repeat(65))],
  after: ['-1', '1.5', '"5"', 'null', '1e999', '-1e999', '9007199254740992', '1e300', '"NaN"', '[]', 'true'],
  until: ['-1', '2.5', '"9"', 'null', '1e999', '9007199254740993'],
  status: ['"away"', '5', 'null', '"ONLINE"'],
};

const text = (frame: Record<string, unknown>, field?: string, raw?: string): string => {
  if (field === undefined) return JSON.stringify(frame);
  const rest = { ...frame };
  delete rest[field];
  const body = JSON.stringify(rest);
  return raw === undefined ? body : `${body.slice(0, -1)},${JSON.stringify(field)}:${raw}}`;
};

const refusal = (frame: string): FrameError => {
  try {
    parseClientFrame(frame);
  } catch (error) {
    if (error instanceof FrameError) return error;
    throw error;
  }
  throw new Error(`accepted: ${frame}`);
};

describe('client frame parser', () => {
  for (const [op, frame] of Object.entries(VALID)) {
    describe(op, () => {
      it('parses the valid frame', () => {
        const parsed = parseClientFrame(text(frame)) as Record<string, unknown>;
        expect(parsed['op']).toBe(op);
      });

      it('refuses an extra field', () => {
        expect(refusal(text({ ...frame, extra: 1 })).code).toBe('frame.unknown_field');
        expect(refusal(text(frame).replace(/}$/, ',"__proto__":{"admin":true}}')).code).toBe('frame.forbidden_key');
      });

      for (const field of REQUIRED[op]!) {
        it(`refuses it without ${field}`, () => {
          expect(refusal(text(frame, field)).message).toMatch(new RegExp(field === 'cursors' ? 'cursors' : field));
        });
      }

      for (const field of Object.keys(frame).filter((key) => key !== 'op' && WRONG[key])) {
        it(`refuses every wrong ${field}`, () => {
          for (const raw of WRONG[field]!) {
            const error = refusal(text(frame, field, raw));
            expect(error.code, `${field}: ${raw.slice(0, 40)}`).toMatch(/^[a-z_]+\.[a-z_]+$/);
          }
        });
      }
    });
  }

  it('refuses what is not a frame', () => {
    for (const [raw, code] of [
      ['', 'frame.invalid_json'],
      ['{"op":', 'frame.invalid_json'],
      ['NaN', 'frame.invalid_json'],
      ['null', 'frame.not_object'],
      ['[]', 'frame.not_object'],
      ['"heartbeat"', 'frame.not_object'],
      ['{}', 'frame.unknown_op'],
      ['{"op":"ping"}', 'frame.unknown_op'],
      ['{"op":"IDENTIFY"}', 'frame.unknown_op'],
      ['{"op":5}', 'frame.unknown_op'],
      [`{"op":"${'x'.repeat(5000)}"}`, 'frame.unknown_op'],
    ] as const) {
      const error = refusal(raw);
      expect(error.code, raw.slice(0, 40)).toBe(code);
      expect(error.message.length).toBeLessThan(200);
    }
  });

  it('keeps the command id on refusals of a frame that has one, so the client can match them', () => {
    expect(refusal(text({ ...VALID['command']!, type: 5 })).id).toBe('cmd-00000001');
    expect(refusal(text({ ...VALID['replay']!, after: -1 })).id).toBe('replay-00000001');
    expect(refusal(text({ ...VALID['replay']!, after: 9, until: 3 })).code).toBe('replay.invalid_cursor');
  });

  it('caps the guilds a resume may name', () => {
    const guilds = Object.fromEntries(Array.from({ length: MAX_GUILDS_PER_CONNECTION + 1 }, (_, i) => [`g${i}`, 0]));
    expect(refusal(text({ ...VALID['resume']!, cursors: { user: 0, guilds } })).code).toBe('resume.too_many_guilds');
    const fine = Object.fromEntries(Object.entries(guilds).slice(1));
    expect(parseClientFrame(text({ ...VALID['resume']!, cursors: { user: 0, guilds: fine } }))).toMatchObject({ op: 'resume' });
  });

  it('parses optional fields as absent, never as zero', () => {
    expect(parseClientFrame('{"op":"subscribe","guildId":"g1"}')).toEqual({ op: 'subscribe', guildId: 'g1', after: null });
    expect(parseClientFrame('{"op":"identify"}')).toEqual({ op: 'identify', token: null });
    expect(parseClientFrame(`{"op":"replay","id":"replay-00000001","guildId":"g","channelId":"c","after":0}`)).toMatchObject({ until: null, after: 0 });
  });
});
