import type { AccountCommand, GuildCommand, GuildEvent, MessageCommand, MessageEvent, ParleyCommand, ParleyEvent, UserEvent } from '@parley/domain';
import { describe, expect, it } from 'vitest';
import { Codec } from './codec.ts';

const codec = new Codec();
const meta = { eventId: 'e1', time: 1_700_000_000_123, causationId: 'cmd-000001', actorId: 'alice', prev: 41 };
const commandMeta = { commandId: 'cmd-000001', userId: 'alice', time: 5, replyTo: 'p.outcome.node1' };

type DataOf<U extends { type: string; data: unknown }, T extends U['type']> = Extract<U, { type: T }>['data'];
/** One or more samples per type: a mapped type, so a type without samples does not compile. */
type Samples<U extends { type: string; data: unknown }> = { [T in U['type']]: DataOf<U, T>[] };
const g = { guildId: 'g' };

const guildEventSamples: Samples<GuildEvent> = {
  GuildCreated: [{ ...g, name: 'Rust Fans ✨', ownerId: 'alice', categoryId: 'c', channelId: 'ch' }],
  GuildUpdated: [
    { ...g, name: 'Rust', description: 'all things *rust*', iconId: 'icon1', defaultChannelId: 'ch' },
    { ...g, name: 'Rust', description: null, iconId: null, defaultChannelId: 'ch' },
  ],
  GuildDeleted: [{ ...g, deletedBy: 'alice' }],
  OwnershipTransferred: [{ ...g, previousOwnerId: 'alice', newOwnerId: 'bob' }],
  MemberJoined: [{ ...g, userId: 'bob', inviteCode: 'abcDEF12' }, { ...g, userId: 'bob', inviteCode: null }],
  MemberLeft: [{ ...g, userId: 'bob' }],
  MemberKicked: [{ ...g, userId: 'bob', kickedBy: 'alice' }],
  MemberBanned: [{ ...g, userId: 'bob', bannedBy: 'alice', reason: 'spam' }, { ...g, userId: 'bob', bannedBy: 'alice', reason: null }],
  MemberUnbanned: [{ ...g, userId: 'bob', unbannedBy: 'alice' }],
  NicknameChanged: [{ ...g, userId: 'bob', nickname: 'Bobby 🦀' }, { ...g, userId: 'bob', nickname: null }],
  RoleCreated: [{ ...g, roleId: 'r1', name: 'mods', permissions: 1023 }],
  RoleUpdated: [{ ...g, roleId: 'r1', name: 'moderators', permissions: 0 }],
  RoleDeleted: [{ ...g, roleId: 'r1' }],
  RolesReordered: [{ ...g, roleIds: ['r2', 'r1'] }, { ...g, roleIds: [] }],
  RoleAssigned: [{ ...g, roleId: 'r1', userId: 'bob' }],
  RoleRemoved: [{ ...g, roleId: 'r1', userId: 'bob' }],
  CategoryCreated: [{ ...g, categoryId: 'c2', name: 'Voice' }],
  CategoryRenamed: [{ ...g, categoryId: 'c2', name: 'Talk' }],
  CategoryDeleted: [{ ...g, categoryId: 'c2' }],
  CategoriesReordered: [{ ...g, categoryIds: ['c2', 'c'] }],
  ChannelCreated: [{ ...g, channelId: 'ch2', name: 'random', categoryId: null, position: 3 }],
  ChannelUpdated: [{ ...g, channelId: 'ch2', name: 'random', topic: 'anything goes' }, { ...g, channelId: 'ch2', name: 'random', topic: null }],
  ChannelMoved: [
    { ...g, channelId: 'ch2', categoryId: 'c', channelIds: ['ch', 'ch2'], fromCategoryId: null, fromChannelIds: [] },
    { ...g, channelId: 'ch2', categoryId: null, channelIds: ['ch2'], fromCategoryId: 'c', fromChannelIds: ['ch'] },
  ],
  ChannelDeleted: [{ ...g, channelId: 'ch2' }],
  ChannelOverwriteSet: [
    { ...g, channelId: 'ch', targetType: 'role', targetId: 'g', allow: 0, deny: 1 },
    { ...g, channelId: 'ch', targetType: 'member', targetId: 'bob', allow: 3, deny: 0 },
  ],
  ChannelOverwriteRemoved: [{ ...g, channelId: 'ch', targetType: 'member', targetId: 'bob' }],
  InviteCreated: [
    { ...g, code: 'abcDEF12', channelId: 'ch', createdBy: 'alice', maxUses: 3, expiresAt: 1_800_000_000_000 },
    { ...g, code: 'abcDEF13', channelId: 'ch', createdBy: 'alice', maxUses: null, expiresAt: null },
  ],
  InviteRevoked: [{ ...g, code: 'abcDEF12', revokedBy: 'alice' }],
};

const guildCommandSamples: Samples<GuildCommand> = {
  CreateGuild: [{ name: 'Rust Fans ✨' }],
  UpdateGuild: [
    { ...g, name: 'Rust', description: { to: 'about rust' }, iconId: { to: null }, defaultChannelId: 'ch' },
    { ...g, name: null, description: null, iconId: { to: 'icon1' }, defaultChannelId: null },
  ],
  DeleteGuild: [{ ...g }],
  TransferOwnership: [{ ...g, userId: 'bob' }],
  JoinGuild: [{ code: 'abcDEF12' }],
  LeaveGuild: [{ ...g }],
  KickMember: [{ ...g, userId: 'bob' }],
  BanMember: [{ ...g, userId: 'bob', reason: 'spam' }, { ...g, userId: 'bob', reason: null }],
  UnbanMember: [{ ...g, userId: 'bob' }],
  SetNickname: [{ ...g, userId: 'bob', nickname: 'Bobby' }, { ...g, userId: 'bob', nickname: null }],
  CreateRole: [{ ...g, name: 'mods', permissions: 64 }],
  UpdateRole: [{ ...g, roleId: 'r1', name: null, permissions: 0 }, { ...g, roleId: 'r1', name: 'mods', permissions: null }],
  DeleteRole: [{ ...g, roleId: 'r1' }],
  ReorderRoles: [{ ...g, roleIds: ['r2', 'r1'] }],
  AssignRole: [{ ...g, roleId: 'r1', userId: 'bob' }],
  RemoveRole: [{ ...g, roleId: 'r1', userId: 'bob' }],
  CreateCategory: [{ ...g, name: 'Voice' }],
  RenameCategory: [{ ...g, categoryId: 'c2', name: 'Talk' }],
  DeleteCategory: [{ ...g, categoryId: 'c2' }],
  ReorderCategories: [{ ...g, categoryIds: ['c2', 'c'] }],
  CreateChannel: [{ ...g, name: 'random', categoryId: 'c' }, { ...g, name: 'random', categoryId: null }],
  UpdateChannel: [{ ...g, channelId: 'ch', name: null, topic: { to: 'news' } }, { ...g, channelId: 'ch', name: 'news', topic: null }],
  MoveChannel: [{ ...g, channelId: 'ch', categoryId: null, position: 0 }],
  DeleteChannel: [{ ...g, channelId: 'ch' }],
  SetChannelOverwrite: [{ ...g, channelId: 'ch', targetType: 'role', targetId: 'r1', allow: 2, deny: 1 }],
  RemoveChannelOverwrite: [{ ...g, channelId: 'ch', targetType: 'member', targetId: 'bob' }],
  CreateInvite: [{ ...g, channelId: 'c', maxUses: null, maxAgeSeconds: 60 }],
  RevokeInvite: [{ ...g, code: 'abcDEF12' }],
};

const m = { ...g, channelId: 'ch' };
const noMentions = { mentionedUserIds: [], mentionedRoleIds: [], mentionsEveryone: false };

const messageEventSamples: Samples<MessageEvent> = {
  MessagePosted: [
    { ...m, messageId: 'm', authorId: 'bob', content: 'hé\nllo 👋', nonce: null, replyTo: null, attachments: [], ...noMentions },
    { ...m, messageId: 'm2', authorId: 'bob', content: '@alice @mods', nonce: 'n-1', replyTo: 'm', attachments: [], mentionedUserIds: ['alice'], mentionedRoleIds: ['r1'], mentionsEveryone: true },
  ],
  MessageEdited: [
    { ...m, messageId: 'm', content: 'edited', editedAt: 1_800_000_000_000, ...noMentions },
    { ...m, messageId: 'm', content: '<@bob> <@&r1> @everyone', editedAt: 1_800_000_000_001, mentionedUserIds: ['bob'], mentionedRoleIds: ['r1'], mentionsEveryone: true },
  ],
  MessageDeleted: [{ ...m, messageId: 'm', deletedBy: 'alice' }],
  MessagesBulkDeleted: [{ ...m, messageIds: ['m', 'm2'], deletedBy: 'alice' }, { ...m, messageIds: ['m'], deletedBy: 'bob' }],
  MessagePinned: [{ ...m, messageId: 'm', pinnedBy: 'alice' }],
  MessageUnpinned: [{ ...m, messageId: 'm', unpinnedBy: 'alice' }],
  ReactionAdded: [{ ...m, messageId: 'm', emoji: '🦀', userId: 'bob' }, { ...m, messageId: 'm', emoji: 'parrot:123', userId: 'bob' }],
  ReactionRemoved: [{ ...m, messageId: 'm', emoji: 'parrot:123', userId: 'bob' }],
};

const userEventSamples: Samples<UserEvent> = {
  AccountRegistered: [{ userId: 'u1', handle: 'bob', displayName: 'Bob', email: 'bob@example.org' }],
  ProfileUpdated: [{ userId: 'u1', displayName: 'Bob', bio: null, avatarId: null }, { userId: 'u1', displayName: 'Bobby', bio: 'hi', avatarId: 'up1' }],
  AccountDeleted: [{ userId: 'u1', deletedAt: 1_800_000_000_000 }],
  SessionsRevoked: [{ userId: 'u1', sessionId: null, at: 1_800_000_000_000 }, { userId: 'u1', sessionId: 's1', at: 1_800_000_000_001 }],
  ChannelRead: [{ userId: 'bob', guildId: 'g', channelId: 'ch', messageId: 'm', messageCursor: 41 }],
};

const accountCommandSamples: Samples<AccountCommand> = {
  RegisterAccount: [{ handle: 'bob', displayName: 'Bob', email: 'bob@example.org' }],
  UpdateProfile: [{ displayName: 'Bob', bio: null, avatarId: null }, { displayName: null, bio: { to: null }, avatarId: { to: 'up1' } }],
  DeleteAccount: [{}],
  RevokeSessions: [{ sessionId: null }, { sessionId: 's1' }],
};

const messageCommandSamples: Samples<MessageCommand> = {
  PostMessage: [{ ...m, content: 'hi', nonce: 'n-1', replyTo: null, attachments: [] }, { ...m, content: 'hi', nonce: null, replyTo: 'm', attachments: ['up1'] }],
  EditMessage: [{ ...m, messageId: 'm', content: 'edited' }],
  DeleteMessage: [{ ...m, messageId: 'm' }],
  BulkDeleteMessages: [{ ...m, messageIds: ['m', 'm2'] }],
  PinMessage: [{ ...m, messageId: 'm' }],
  UnpinMessage: [{ ...m, messageId: 'm' }],
  AddReaction: [{ ...m, messageId: 'm', emoji: '🦀' }, { ...m, messageId: 'm', emoji: 'parrot:123' }],
  RemoveReaction: [{ ...m, messageId: 'm', emoji: '🦀' }],
  MarkRead: [{ ...m, messageId: 'm' }],
};

const eventSamples: Samples<ParleyEvent> = { ...guildEventSamples, ...messageEventSamples, ...userEventSamples };
const commandSamples: Samples<ParleyCommand> = { ...guildCommandSamples, ...messageCommandSamples, ...accountCommandSamples };

const flatten = <U extends { type: string; data: unknown }>(samples: Samples<U>) =>
  Object.entries(samples).flatMap(([type, data]) => (data as unknown[]).map((d, i) => [`${type} #${i + 1}`, { type, data: d } as U] as const));

describe('Codec', () => {
  it('has a sample for every event and command schema, and a schema for every sample', () => {
    const { events, commands } = codec.registries();
    expect(Object.keys(eventSamples).sort()).toEqual(events.names());
    expect(Object.keys(commandSamples).sort()).toEqual(commands.names());
  });

  it.each(flatten<ParleyEvent>(eventSamples))('round-trips event %s through its envelope', (_label, event) => {
    const decoded = codec.decodeEvent(codec.encodeEvent(meta, event));
    expect(decoded.event).toStrictEqual(event);
    expect(decoded.meta).toEqual({ ...meta, version: codec.registries().events.latestVersion(event.type) });
  });

  // toStrictEqual also compares prototypes: nested records (a Change) come back as plain objects too.
  it.each(flatten<ParleyCommand>(commandSamples))('round-trips command %s, its data plain for re-validation', (_label, command) => {
    const decoded = codec.decodeCommand(codec.encodeCommand(commandMeta, command));
    expect(decoded.type).toBe(command.type);
    expect(decoded.data).toStrictEqual(command.data);
    expect(decoded.meta).toEqual({ ...commandMeta, version: codec.registries().commands.latestVersion(command.type) });
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
    const bytes = codec.encodeEvent(meta, { type: 'GuildCreated', data: eventSamples.GuildCreated[0]! });
    expect(() => codec.decodeEvent(bytes.subarray(0, 10))).toThrow();
    expect(() => codec.decodeEvent(Buffer.of(1))).toThrow(/too short/);
    expect(() => codec.encodeEvent(meta, { type: 'Nope', data: {} } as unknown as ParleyEvent)).toThrow(/no events schema named Nope/);
  });
});
