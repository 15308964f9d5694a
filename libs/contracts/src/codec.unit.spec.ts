import type { ParleyEvent } from '@parley/domain';
import { describe, expect, it } from 'vitest';
import { Codec } from './codec.ts';

const codec = new Codec();
const meta = { eventId: 'e1', time: 1_700_000_000_123, causationId: 'cmd-000001', actorId: 'alice', prev: 41 };

const samples: ParleyEvent[] = [
  { type: 'GuildCreated', data: { guildId: 'g', name: 'Rust Fans ✨', ownerId: 'alice', categoryId: 'c', channelId: 'ch' } },
  { type: 'ChannelCreated', data: { guildId: 'g', channelId: 'ch2', name: 'random', categoryId: null, position: 3 } },
  { type: 'InviteCreated', data: { guildId: 'g', code: 'abcDEF12', channelId: 'ch', createdBy: 'alice', maxUses: 3, expiresAt: 1_800_000_000_000 } },
  { type: 'InviteCreated', data: { guildId: 'g', code: 'abcDEF13', channelId: 'ch', createdBy: 'alice', maxUses: null, expiresAt: null } },
  { type: 'MemberJoined', data: { guildId: 'g', userId: 'bob', inviteCode: 'abcDEF12' } },
  { type: 'MessagePosted', data: { guildId: 'g', channelId: 'ch', messageId: 'm', authorId: 'bob', content: 'hé\nllo 👋', nonce: null } },
];

describe('Codec', () => {
  it.each(samples.map((s) => [s.type, s] as const))('round-trips %s through its envelope', (_type, event) => {
    const decoded = codec.decodeEvent(codec.encodeEvent(meta, event));
    expect(decoded.event).toEqual(event);
    expect(decoded.meta).toEqual({ ...meta, version: 1 });
  });

  it('round-trips commands and keeps their data plain for re-validation', () => {
    const bytes = codec.encodeCommand(
      { commandId: 'cmd-000001', userId: 'alice', time: 5, replyTo: 'p.outcome.node1' },
      { type: 'CreateInvite', data: { guildId: 'g', channelId: 'c', maxUses: null, maxAgeSeconds: 60 } },
    );
    const decoded = codec.decodeCommand(bytes);
    expect(decoded.type).toBe('CreateInvite');
    expect(decoded.data).toEqual({ guildId: 'g', channelId: 'c', maxUses: null, maxAgeSeconds: 60 });
    expect(Object.getPrototypeOf(decoded.data)).toBe(Object.prototype);
  });

  it('round-trips both kinds of outcome', () => {
    const accepted = { commandId: 'c1', userId: 'u', status: 'accepted', seq: 9, eventType: 'MemberJoined', eventId: 'e', event: Buffer.of(1, 2) } as const;
    const rejected = { commandId: 'c2', userId: 'u', status: 'rejected', statusCode: 403, code: 'guild.not_member', message: 'no' } as const;
    expect(codec.decodeOutcome(codec.encodeOutcome(accepted))).toEqual(accepted);
    expect(codec.decodeOutcome(codec.encodeOutcome(rejected))).toEqual(rejected);
  });

  it('refuses an event whose data does not fit its schema', () => {
    const bad = { type: 'MemberJoined', data: { guildId: 'g', userId: 42 } } as unknown as ParleyEvent;
    expect(() => codec.encodeEvent(meta, bad)).toThrow();
  });

  it('refuses truncated bytes and unknown types with an error, not garbage', () => {
    const bytes = codec.encodeEvent(meta, samples[0]!);
    expect(() => codec.decodeEvent(bytes.subarray(0, 10))).toThrow();
    expect(() => codec.decodeEvent(Buffer.of(1))).toThrow(/too short/);
    expect(() => codec.encodeEvent(meta, { type: 'Nope', data: {} } as unknown as ParleyEvent)).toThrow(/no events schema named Nope/);
  });
});
