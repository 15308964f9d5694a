import { invalid } from '../errors.ts';
import { assertId, isId } from '../ids.ts';
import { readIdList, readOptionalString, readText, type Fields } from '../input.ts';

export const MESSAGE_LIMITS = {
  content: 4000,
  bulkDelete: 100,
  attachments: 10,
  pinsPerChannel: 50,
  reactionsPerMessage: 20,
  emoji: 64,
} as const;

type C<T extends string, D> = { type: T; data: { guildId: string; channelId: string } & D };

/** `attachments`: ids of uploads the author made (the gateway checks ownership before the log). */
export type PostMessage = C<'PostMessage', { content: string; nonce: string | null; replyTo: string | null; attachments: string[] }>;
export type EditMessage = C<'EditMessage', { messageId: string; content: string }>;
export type DeleteMessage = C<'DeleteMessage', { messageId: string }>;
export type BulkDeleteMessages = C<'BulkDeleteMessages', { messageIds: string[] }>;
export type PinMessage = C<'PinMessage', { messageId: string }>;
export type UnpinMessage = C<'UnpinMessage', { messageId: string }>;
export type AddReaction = C<'AddReaction', { messageId: string; emoji: string }>;
export type RemoveReaction = C<'RemoveReaction', { messageId: string; emoji: string }>;
/** Moves the user's read marker in a channel to a message (forward or back). */
export type MarkRead = C<'MarkRead', { messageId: string }>;

export type MessageCommand =
  | PostMessage
  | EditMessage
  | DeleteMessage
  | BulkDeleteMessages
  | PinMessage
  | UnpinMessage
  | AddReaction
  | RemoveReaction
  | MarkRead;
type MessageCommandType = MessageCommand['type'];
type DataOf<T extends MessageCommandType> = Extract<MessageCommand, { type: T }>['data'];

const NONCE_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** An emoji: a short run of visible characters (a Unicode emoji, or a custom `name:id`). */
export const isEmoji = (value: unknown): value is string =>
  typeof value === 'string' && value.length > 0 && value.length <= MESSAGE_LIMITS.emoji && !/[\s\u0000-\u001f\u007f-\u009f]/.test(value);

function readEmoji(f: Fields): string {
  const raw = f['emoji'];
  if (!isEmoji(raw)) {
    throw invalid('input.invalid_emoji', `emoji must be 1 to ${MESSAGE_LIMITS.emoji} visible characters`);
  }
  return raw;
}

const where = (f: Fields) => ({ guildId: assertId(f['guildId'], 'guildId'), channelId: assertId(f['channelId'], 'channelId') });
const message = (f: Fields) => ({ ...where(f), messageId: assertId(f['messageId'], 'messageId') });

export const MESSAGE_PARSERS: { [T in MessageCommandType]: [fields: string[], read: (f: Fields) => DataOf<T>] } = {
  PostMessage: [
    ['guildId', 'channelId', 'content', 'nonce', 'replyTo', 'attachments'],
    (f) => ({
      ...where(f),
      content: readText(f, 'content', MESSAGE_LIMITS.content),
      nonce: readOptionalString(f, 'nonce', NONCE_PATTERN),
      replyTo: f['replyTo'] === undefined || f['replyTo'] === null ? null : assertId(f['replyTo'], 'replyTo'),
      attachments: f['attachments'] === undefined ? [] : readIdList(f, 'attachments', MESSAGE_LIMITS.attachments, isId),
    }),
  ],
  EditMessage: [['guildId', 'channelId', 'messageId', 'content'], (f) => ({ ...message(f), content: readText(f, 'content', MESSAGE_LIMITS.content) })],
  DeleteMessage: [['guildId', 'channelId', 'messageId'], message],
  BulkDeleteMessages: [
    ['guildId', 'channelId', 'messageIds'],
    (f) => {
      const messageIds = readIdList(f, 'messageIds', MESSAGE_LIMITS.bulkDelete, isId);
      if (messageIds.length === 0) throw invalid('input.empty', 'messageIds must not be empty');
      return { ...where(f), messageIds };
    },
  ],
  PinMessage: [['guildId', 'channelId', 'messageId'], message],
  UnpinMessage: [['guildId', 'channelId', 'messageId'], message],
  AddReaction: [['guildId', 'channelId', 'messageId', 'emoji'], (f) => ({ ...message(f), emoji: readEmoji(f) })],
  RemoveReaction: [['guildId', 'channelId', 'messageId', 'emoji'], (f) => ({ ...message(f), emoji: readEmoji(f) })],
  MarkRead: [['guildId', 'channelId', 'messageId'], message],
};
