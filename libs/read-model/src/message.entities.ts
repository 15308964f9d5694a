import { ArrayType, EntitySchema } from '@mikro-orm/core';
import { seq } from './columns.ts';

/**
 * Message history, written by the history projection from the channel
 * streams. The event log sequence of a MessagePosted is the message's key:
 * it orders a channel's history and is the page cursor.
 */
export interface MessageRow {
  seq: number;
  id: string;
  guildId: string;
  channelId: string;
  authorId: string;
  /** '' once deleted. */
  content: string;
  createdAt: Date;
  /** The message this one answers, which may since have been deleted (its tombstone says so). */
  replyTo: string | null;
  editedAt: Date | null;
  /**
   * A deleted message keeps its row as a tombstone, so pages and replies stay
   * stable: content blanked, no pin, no reactions, no mentions. Final: the
   * domain refuses every later change to it.
   */
  deleted: boolean;
  pinned: boolean;
  mentionsEveryone: boolean;
  /** Upload ids, in the order posted. */
  attachments: string[];
}
export const Message = new EntitySchema<MessageRow>({
  name: 'Message',
  tableName: 'messages',
  properties: {
    seq: { ...seq(), primary: true, autoincrement: false },
    id: { type: 'string', unique: true },
    guildId: { type: 'string' },
    channelId: { type: 'string' },
    authorId: { type: 'string' },
    content: { type: 'text' },
    createdAt: { type: 'Date' },
    replyTo: { type: 'string', nullable: true },
    editedAt: { type: 'Date', nullable: true },
    deleted: { type: 'boolean' },
    pinned: { type: 'boolean' },
    mentionsEveryone: { type: 'boolean' },
    attachments: { type: new ArrayType(), columnType: 'text[]' },
  },
});

/** One user's reaction with one emoji; `seq` is the ReactionAdded's, so a message's emojis list in the order they first appeared. */
export interface MessageReactionRow { messageId: string; emoji: string; userId: string; seq: number }
export const MessageReaction = new EntitySchema<MessageReactionRow>({
  name: 'MessageReaction',
  tableName: 'message_reactions',
  properties: {
    messageId: { type: 'string', primary: true },
    emoji: { type: 'string', primary: true },
    userId: { type: 'string', primary: true },
    seq: seq(),
  },
});

export type MentionKind = 'user' | 'role';
/**
 * Who a live message mentions, as the domain parsed it from the current
 * content (`@everyone` is `messages.mentions_everyone`). `position` keeps the
 * order of first appearance; `channel_id` and `seq` (the message's) let mention
 * counts since a read position be answered from this table alone.
 */
export interface MessageMentionRow { messageId: string; kind: MentionKind; targetId: string; position: number; channelId: string; seq: number }
export const MessageMention = new EntitySchema<MessageMentionRow>({
  name: 'MessageMention',
  tableName: 'message_mentions',
  properties: {
    messageId: { type: 'string', primary: true },
    kind: { type: 'string', primary: true },
    targetId: { type: 'string', primary: true },
    position: { type: 'integer' },
    channelId: { type: 'string' },
    seq: seq(),
  },
});
