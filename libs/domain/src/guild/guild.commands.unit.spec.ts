import { describe, expect, it } from 'vitest';
import { DomainError, parseCommand } from '../index.ts';

function rejection(type: unknown, data: unknown): string {
  try {
    parseCommand(type, data);
  } catch (error) {
    if (error instanceof DomainError) return `${error.status} ${error.code}`;
    throw error;
  }
  return 'accepted';
}

describe('parseCommand', () => {
  it('accepts and normalizes a well-formed command', () => {
    expect(parseCommand('CreateGuild', { name: '  Rust Fans ' })).toEqual({ type: 'CreateGuild', data: { name: 'Rust Fans' } });
    expect(parseCommand('PostMessage', { guildId: 'g1', channelId: 'c1', content: 'hi\nthere' })).toEqual({
      type: 'PostMessage',
      data: { guildId: 'g1', channelId: 'c1', content: 'hi\nthere', nonce: null },
    });
  });

  it.each([
    ['unknown type', 'DropTables', {}, '400 command.unknown_type'],
    ['data not an object', 'CreateGuild', 'name', '400 input.not_object'],
    ['data an array', 'CreateGuild', ['x'], '400 input.not_object'],
    ['extra field', 'CreateGuild', { name: 'x', admin: true }, '400 input.unknown_field'],
    ['__proto__ key', 'CreateGuild', JSON.parse('{"name":"x","__proto__":{"admin":true}}'), '400 input.forbidden_key'],
    ['object where a string is expected', 'CreateGuild', { name: { toString: 'x' } }, '400 input.not_string'],
    ['empty name', 'CreateGuild', { name: '   ' }, '400 input.empty'],
    ['oversize name', 'CreateGuild', { name: 'x'.repeat(101) }, '400 input.too_long'],
    ['control character in name', 'CreateGuild', { name: 'a\u0007b' }, '400 input.bad_characters'],
    ['zero-width character in name', 'CreateGuild', { name: 'a\u200bb' }, '400 input.bad_characters'],
    ['bidi override in name', 'CreateGuild', { name: 'a\u202eb' }, '400 input.bad_characters'],
    ['subject wildcard in an id', 'PostMessage', { guildId: 'g1', channelId: '*', content: 'x' }, '400 input.invalid_id'],
    ['dot in an id', 'PostMessage', { guildId: 'g1.>', channelId: 'c', content: 'x' }, '400 input.invalid_id'],
    ['CRLF in an id', 'CreateChannel', { guildId: 'g1\r\nPUB x', name: 'x' }, '400 input.invalid_id'],
    ['empty content', 'PostMessage', { guildId: 'g', channelId: 'c', content: '' }, '400 input.empty'],
    ['oversize content', 'PostMessage', { guildId: 'g', channelId: 'c', content: 'x'.repeat(4001) }, '400 input.too_long'],
    ['NUL in content', 'PostMessage', { guildId: 'g', channelId: 'c', content: 'a\u0000' }, '400 input.bad_characters'],
    ['NaN max uses', 'CreateInvite', { guildId: 'g', channelId: 'c', maxUses: Number.NaN }, '400 input.out_of_range'],
    ['negative max age', 'CreateInvite', { guildId: 'g', channelId: 'c', maxAgeSeconds: -1 }, '400 input.out_of_range'],
    ['string max uses', 'CreateInvite', { guildId: 'g', channelId: 'c', maxUses: '3' }, '400 input.out_of_range'],
    ['missing invite code', 'JoinGuild', {}, '400 input.missing'],
    ['invite code with a wildcard', 'JoinGuild', { code: 'abc>def' }, '400 input.invalid'],
  ])('rejects %s', (_label, type, data, expected) => {
    expect(rejection(type, data)).toBe(expected);
  });

  it('accepts exactly 4000 characters of content', () => {
    expect(rejection('PostMessage', { guildId: 'g', channelId: 'c', content: 'x'.repeat(4000) })).toBe('accepted');
  });
});
