/**
 * Events of one channel's message stream (one subject per channel): the
 * messages, their edits, deletions, pins and reactions, in one order.
 */
type M<T extends string, D> = { type: T; data: { guildId: string; channelId: string } & D };

/** Who a message mentions, parsed server-side from its content. */
export type Mentions = { mentionedUserIds: string[]; mentionedRoleIds: string[]; mentionsEveryone: boolean };

export type MessagePosted = M<
  'MessagePosted',
  { messageId: string; authorId: string; content: string; nonce: string | null; replyTo: string | null; attachments: string[] } & Mentions
>;
export type MessageEdited = M<'MessageEdited', { messageId: string; content: string; editedAt: number } & Mentions>;
export type MessageDeleted = M<'MessageDeleted', { messageId: string; deletedBy: string }>;
export type MessagesBulkDeleted = M<'MessagesBulkDeleted', { messageIds: string[]; deletedBy: string }>;
export type MessagePinned = M<'MessagePinned', { messageId: string; pinnedBy: string }>;
export type MessageUnpinned = M<'MessageUnpinned', { messageId: string; unpinnedBy: string }>;
export type ReactionAdded = M<'ReactionAdded', { messageId: string; emoji: string; userId: string }>;
export type ReactionRemoved = M<'ReactionRemoved', { messageId: string; emoji: string; userId: string }>;

export type MessageEvent =
  | MessagePosted
  | MessageEdited
  | MessageDeleted
  | MessagesBulkDeleted
  | MessagePinned
  | MessageUnpinned
  | ReactionAdded
  | ReactionRemoved;

export const MESSAGE_EVENT_TYPES: readonly MessageEvent['type'][] = [
  'MessagePosted',
  'MessageEdited',
  'MessageDeleted',
  'MessagesBulkDeleted',
  'MessagePinned',
  'MessageUnpinned',
  'ReactionAdded',
  'ReactionRemoved',
];
