import type { MessageEvent } from '@parley/domain';

type MessageEventType = MessageEvent['type'];

/**
 * A realistic life of two channels' messages, as the deciders would have
 * written it, using every message event type: posts (in runs and alone,
 * replies, mentions), reactions added, removed and added again, an edit that
 * changes the mentions, pins and an unpin, a delete of a pinned message with
 * reactions, and a bulk delete. history.projection.int.spec.ts asserts the
 * rows it implies.
 */
type Data<T extends MessageEventType> = Extract<MessageEvent, { type: T }>['data'];
// TypeScript cannot tie `type` to its data inside a generic union, hence the cast; the parameters are checked.
const e = <T extends MessageEventType>(type: T, data: Omit<Data<T>, 'guildId' | 'channelId'>, channelId = 'ch1') =>
  ({ type, data: { guildId: 'g1', channelId, ...data } }) as unknown as MessageEvent;

const none = { mentionedUserIds: [], mentionedRoleIds: [], mentionsEveryone: false };
const post = (messageId: string, authorId: string, content: string, extra: Partial<Data<'MessagePosted'>> = {}, channelId = 'ch1') =>
  e('MessagePosted', { messageId, authorId, content, nonce: null, replyTo: null, attachments: [], ...none, ...extra }, channelId);
const react = (type: 'ReactionAdded' | 'ReactionRemoved', messageId: string, emoji: string, userId: string) => e(type, { messageId, emoji, userId });

export const EDITED_AT = 1_750_000_000_000;

export const CHANNEL_LIFE: MessageEvent[] = [
  // A run of three posts over two channels: one insert.
  post('m1', 'alice', 'hello <@bob>', { mentionedUserIds: ['bob'] }),
  post('m2', 'bob', 'hi @everyone and <@&mod>, <@alice>', { nonce: 'n-1', replyTo: 'm1', mentionedUserIds: ['alice'], mentionedRoleIds: ['mod'], mentionsEveryone: true }),
  post('m3', 'carol', 'elsewhere', {}, 'ch2'),
  react('ReactionAdded', 'm1', '👍', 'bob'),
  react('ReactionAdded', 'm1', '👍', 'carol'),
  react('ReactionAdded', 'm1', '🎉', 'alice'),
  react('ReactionAdded', 'm2', 'parrot:123', 'alice'),
  react('ReactionRemoved', 'm1', '👍', 'carol'),
  // The edit replaces the mentions: bob is no longer mentioned, carol and dave are.
  e('MessageEdited', { messageId: 'm1', content: 'hello <@dave> and <@carol>', editedAt: EDITED_AT, ...none, mentionedUserIds: ['dave', 'carol'] }),
  e('MessagePinned', { messageId: 'm1', pinnedBy: 'alice' }),
  e('MessagePinned', { messageId: 'm2', pinnedBy: 'alice' }),
  e('MessageUnpinned', { messageId: 'm2', unpinnedBy: 'alice' }),
  // A pinned, reacted, mentioning message, then deleted: a tombstone.
  post('m4', 'alice', 'soon gone <@bob> @everyone', { mentionedUserIds: ['bob'], mentionsEveryone: true }),
  react('ReactionAdded', 'm4', '👍', 'bob'),
  e('MessagePinned', { messageId: 'm4', pinnedBy: 'alice' }),
  e('MessageEdited', { messageId: 'm4', content: 'soon gone <@&mod>', editedAt: EDITED_AT + 1, ...none, mentionedRoleIds: ['mod'] }),
  e('MessageDeleted', { messageId: 'm4', deletedBy: 'alice' }),
  post('m5', 'bob', 'bulk one'),
  post('m6', 'carol', 'bulk two <@alice>', { mentionedUserIds: ['alice'] }),
  react('ReactionAdded', 'm5', '❤️', 'alice'),
  e('MessagesBulkDeleted', { messageIds: ['m5', 'm6'], deletedBy: 'alice' }),
  // carol reacts again: her reaction now dates from here.
  react('ReactionAdded', 'm1', '👍', 'carol'),
  post('m7', 'dave', 'replying', { replyTo: 'm1', attachments: ['up1', 'up2'] }),
  react('ReactionAdded', 'm3', '🦀', 'carol'),
];

/** Every message event type, listed so that a new one fails the coverage check until CHANNEL_LIFE uses it. */
export const MESSAGE_EVENT_TYPE_LIST = Object.keys({
  MessagePosted: 0, MessageEdited: 0, MessageDeleted: 0, MessagesBulkDeleted: 0,
  MessagePinned: 0, MessageUnpinned: 0, ReactionAdded: 0, ReactionRemoved: 0,
} satisfies Record<MessageEventType, 0>);
