import { describe, expect, it } from 'vitest';
import { DomainError, parseCommand } from './index.ts';

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
      data: { guildId: 'g1', channelId: 'c1', content: 'hi\nthere', nonce: null, replyTo: null, attachments: [] },
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
    ['an update that changes nothing', 'UpdateGuild', { guildId: 'g' }, '400 input.nothing_to_change'],
    ['a description that is an object', 'UpdateGuild', { guildId: 'g', description: { to: 'x' } }, '400 input.not_string'],
    ['unknown permission bits', 'CreateRole', { guildId: 'g', name: 'r', permissions: 1 << 20 }, '400 input.out_of_range'],
    ['negative permissions', 'CreateRole', { guildId: 'g', name: 'r', permissions: -1 }, '400 input.out_of_range'],
    ['fractional permissions', 'CreateRole', { guildId: 'g', name: 'r', permissions: 1.5 }, '400 input.out_of_range'],
    ['a bit both allowed and denied', 'SetChannelOverwrite', { guildId: 'g', channelId: 'c', targetType: 'role', targetId: 'r', allow: 3, deny: 2 }, '400 input.conflicting_bits'],
    ['an unknown overwrite target type', 'SetChannelOverwrite', { guildId: 'g', channelId: 'c', targetType: 'everyone', targetId: 'r', allow: 0, deny: 0 }, '400 input.invalid_choice'],
    ['a role order that is not an array', 'ReorderRoles', { guildId: 'g', roleIds: 'a,b' }, '400 input.not_array'],
    ['a role order with a repeated id', 'ReorderRoles', { guildId: 'g', roleIds: ['a', 'a'] }, '400 input.duplicate'],
    ['a role order with a wildcard id', 'ReorderRoles', { guildId: 'g', roleIds: ['a', '>'] }, '400 input.invalid_id'],
    ['a huge role order', 'ReorderRoles', { guildId: 'g', roleIds: Array.from({ length: 251 }, (_, i) => `r${i}`) }, '400 input.too_long'],
    ['a negative channel position', 'MoveChannel', { guildId: 'g', channelId: 'c', categoryId: null, position: -1 }, '400 input.out_of_range'],
    ['a nickname with a zero-width joiner', 'SetNickname', { guildId: 'g', userId: 'u', nickname: 'a\u200db' }, '400 input.bad_characters'],
    ['an empty bulk delete', 'BulkDeleteMessages', { guildId: 'g', channelId: 'c', messageIds: [] }, '400 input.empty'],
    ['a bulk delete of 101 messages', 'BulkDeleteMessages', { guildId: 'g', channelId: 'c', messageIds: Array.from({ length: 101 }, (_, i) => `m${i}`) }, '400 input.too_long'],
    ['an emoji with a space', 'AddReaction', { guildId: 'g', channelId: 'c', messageId: 'm', emoji: 'thumbs up' }, '400 input.invalid_emoji'],
    ['an empty emoji', 'AddReaction', { guildId: 'g', channelId: 'c', messageId: 'm', emoji: '' }, '400 input.invalid_emoji'],
    ['a reply to a wildcard', 'PostMessage', { guildId: 'g', channelId: 'c', content: 'x', replyTo: '*', attachments: [] }, '400 input.invalid_id'],
    ['an oversize ban reason', 'BanMember', { guildId: 'g', userId: 'u', reason: 'x'.repeat(513) }, '400 input.too_long'],
  ])('rejects %s', (_label, type, data, expected) => {
    expect(rejection(type, data)).toBe(expected);
  });

  it('reads absent fields as unchanged and null or blank ones as cleared', () => {
    expect(parseCommand('UpdateChannel', { guildId: 'g', channelId: 'c', topic: '  ' })).toEqual({
      type: 'UpdateChannel',
      data: { guildId: 'g', channelId: 'c', name: null, topic: { to: null } },
    });
    expect(parseCommand('UpdateGuild', { guildId: 'g', iconId: null, name: ' N ' })).toEqual({
      type: 'UpdateGuild',
      data: { guildId: 'g', name: 'N', description: null, iconId: { to: null }, defaultChannelId: null },
    });
  });

  it('accepts exactly 4000 characters of content', () => {
    expect(rejection('PostMessage', { guildId: 'g', channelId: 'c', content: 'x'.repeat(4000) })).toBe('accepted');
  });
});
