import type { MessageEvent } from './message.events.ts';

/**
 * What the message deciders know of one channel: every message's author and
 * status, folded from the channel's stream. Deleted messages stay as
 * tombstones so late edits, reactions and replies to them are refused.
 */
export type MessageState = {
  authorId: string;
  /** The event log sequence (cursor) of the post. */
  seq: number;
  deleted: boolean;
  pinned: boolean;
  /** emoji -> users who reacted with it */
  reactions: Map<string, Set<string>>;
};

export type ChannelMessages = {
  messages: Map<string, MessageState>;
  pinnedCount: number;
  /** `<authorId>:<nonce>` -> message id, for idempotent posting. */
  nonces: Map<string, string>;
};

export const initialChannelMessages = (): ChannelMessages => ({ messages: new Map(), pinnedCount: 0, nonces: new Map() });

/** Folds one event, stored at `seq`, in place (see evolveGuild on why in place). */
export function evolveMessages(state: ChannelMessages, event: MessageEvent, seq: number): ChannelMessages {
  const message = 'messageId' in event.data ? state.messages.get(event.data.messageId) : undefined;
  switch (event.type) {
    case 'MessagePosted': {
      const { messageId, authorId, nonce } = event.data;
      state.messages.set(messageId, { authorId, seq, deleted: false, pinned: false, reactions: new Map() });
      if (nonce !== null) state.nonces.set(`${authorId}:${nonce}`, messageId);
      return state;
    }
    case 'MessageEdited':
      return state;
    case 'MessageDeleted':
      if (message) tombstone(state, message);
      return state;
    case 'MessagesBulkDeleted':
      for (const id of event.data.messageIds) {
        const deleted = state.messages.get(id);
        if (deleted) tombstone(state, deleted);
      }
      return state;
    case 'MessagePinned':
      if (message && !message.pinned) {
        message.pinned = true;
        state.pinnedCount += 1;
      }
      return state;
    case 'MessageUnpinned':
      if (message?.pinned) {
        message.pinned = false;
        state.pinnedCount -= 1;
      }
      return state;
    case 'ReactionAdded': {
      const users = message?.reactions.get(event.data.emoji) ?? new Set<string>();
      users.add(event.data.userId);
      message?.reactions.set(event.data.emoji, users);
      return state;
    }
    case 'ReactionRemoved': {
      const users = message?.reactions.get(event.data.emoji);
      users?.delete(event.data.userId);
      if (users?.size === 0) message?.reactions.delete(event.data.emoji);
      return state;
    }
    default: {
      const exhaustive: never = event;
      return exhaustive;
    }
  }
}

function tombstone(state: ChannelMessages, message: MessageState): void {
  if (message.pinned) state.pinnedCount -= 1;
  Object.assign(message, { deleted: true, pinned: false, reactions: new Map() });
}
