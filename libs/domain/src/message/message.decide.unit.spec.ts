import { describe, it } from 'vitest';
import type { ParleyEvent } from '../events.ts';
import { DEFAULT_EVERYONE_PERMISSIONS, PERMISSIONS as P } from '../guild/permissions.ts';
import { given } from '../testing/decider-specification.ts';
import { ev, G, meta, NOW, staffed, withMembers } from '../testing/guild-fixtures.ts';

const NO_MENTIONS = { mentionedUserIds: [], mentionedRoleIds: [], mentionsEveryone: false };
const at = { guildId: G, channelId: 'ch1' };
const msg = (messageId: string, authorId = 'bob', content = 'hi'): ParleyEvent => ({
  type: 'MessagePosted',
  data: { ...at, messageId, authorId, content, nonce: null, replyTo: null, attachments: [], ...NO_MENTIONS },
});

describe('PostMessage', () => {
  const post = (channelId = 'ch1') => ({ type: 'PostMessage' as const, data: { guildId: G, channelId, content: 'hello', nonce: 'n1', replyTo: null, attachments: [] } });
  const posted = (authorId: string) => ({
    type: 'MessagePosted' as const,
    data: { guildId: G, channelId: 'ch1', messageId: 'ID1', authorId, content: 'hello', nonce: 'n1', replyTo: null, attachments: [], ...NO_MENTIONS },
  });

  it('lets a member with view and send post', () => {
    given(...withMembers()).when(post(), meta('bob')).then(posted('bob'));
  });

  it('refuses strangers and channels of other guilds', () => {
    given(...withMembers()).when(post(), meta('eve')).thenRejects('guild.not_member', 403);
    given(...withMembers()).when(post('elsewhere'), meta('bob')).thenRejects('channel.not_found', 404);
  });

  it('follows the overwrite order: @everyone, then roles together, then the member', () => {
    const SEND = P.sendMessages;
    // @everyone denied sending here...
    given(...staffed(0), ev.overwrite('ch1', 'role', G, 0, SEND)).when(post(), meta('dave')).thenRejects('permission.sendMessages', 403);
    // ...a role's allow beats the @everyone deny...
    given(...staffed(0), ev.overwrite('ch1', 'role', G, 0, SEND), ev.overwrite('ch1', 'role', 'helper', SEND, 0)).when(post(), meta('carol')).then(posted('carol'));
    // ...when roles disagree, allow wins among roles...
    given(...staffed(0), ev.assigned('mod', 'carol'), ev.overwrite('ch1', 'role', 'mod', 0, SEND), ev.overwrite('ch1', 'role', 'helper', SEND, 0))
      .when(post(), meta('carol'))
      .then(posted('carol'));
    // ...and the member's own overwrite beats every role.
    given(...staffed(0), ev.overwrite('ch1', 'role', 'helper', SEND, 0), ev.overwrite('ch1', 'member', 'carol', 0, SEND)).when(post(), meta('carol')).thenRejects('permission.sendMessages', 403);
  });

  it('lets overwrites grant a member whose roles grant nothing', () => {
    given(...withMembers(), ev.everyone(0), ev.overwrite('ch1', 'member', 'bob', P.viewChannel | P.sendMessages, 0)).when(post(), meta('bob')).then(posted('bob'));
    given(...withMembers(), ev.everyone(0)).when(post(), meta('bob')).thenRejects('permission.viewChannel', 403);
  });

  it('hides a channel without viewChannel, whatever else is allowed', () => {
    given(...staffed(0), ev.overwrite('ch1', 'member', 'dave', P.sendMessages, P.viewChannel)).when(post(), meta('dave')).thenRejects('permission.viewChannel', 403);
  });

  it('lets administrators and the owner through every overwrite', () => {
    given(...staffed(P.administrator), ev.overwrite('ch1', 'member', 'bob', 0, DEFAULT_EVERYONE_PERMISSIONS)).when(post(), meta('bob')).then(posted('bob'));
    given(...withMembers(), ev.overwrite('ch1', 'member', 'alice', 0, DEFAULT_EVERYONE_PERMISSIONS)).when(post(), meta('alice')).then(posted('alice'));
  });
});

describe('PostMessage content', () => {
  const post = (content: string, extra: object = {}) => ({ type: 'PostMessage' as const, data: { ...at, content, nonce: null, replyTo: null, attachments: [], ...extra } });

  it('parses mentions of current members and existing roles, once each, and @everyone', () => {
    given(...staffed(0))
      .when(post('hey <@carol> and <@&mod>, <@carol> again, <@ghost> <@&nope> @everyone'), meta('bob'))
      .then({
        type: 'MessagePosted',
        data: { ...at, messageId: 'ID1', authorId: 'bob', content: 'hey <@carol> and <@&mod>, <@carol> again, <@ghost> <@&nope> @everyone', nonce: null, replyTo: null, attachments: [], mentionedUserIds: ['carol'], mentionedRoleIds: ['mod'], mentionsEveryone: true },
      });
  });

  it('does not read an e-mail address or a word as @everyone', () => {
    given(...withMembers()).when(post('mail me at x@everyone.example or say @everyoneish'), meta('bob')).then({
      type: 'MessagePosted',
      data: { ...at, messageId: 'ID1', authorId: 'bob', content: 'mail me at x@everyone.example or say @everyoneish', nonce: null, replyTo: null, attachments: [], ...NO_MENTIONS },
    });
  });

  it('replies only to a live message of the same channel', () => {
    given(...withMembers(), msg('m1')).when(post('re', { replyTo: 'm1', attachments: [] }), meta('carol')).then({
      type: 'MessagePosted',
      data: { ...at, messageId: 'ID1', authorId: 'carol', content: 're', nonce: null, replyTo: 'm1', attachments: [], ...NO_MENTIONS },
    });
    given(...withMembers()).when(post('re', { replyTo: 'm1', attachments: [] }), meta('carol')).thenRejects('message.not_found', 404);
    given(...withMembers(), msg('m1'), { type: 'MessageDeleted', data: { ...at, messageId: 'm1', deletedBy: 'bob' } })
      .when(post('re', { replyTo: 'm1', attachments: [] }), meta('carol'))
      .thenRejects('message.not_found', 404);
  });

  it('refuses a nonce the author already used in this channel', () => {
    const withNonce: ParleyEvent = { type: 'MessagePosted', data: { ...at, messageId: 'm1', authorId: 'bob', content: 'x', nonce: 'n-1', replyTo: null, attachments: [], ...NO_MENTIONS } };
    given(...withMembers(), withNonce).when(post('x', { nonce: 'n-1' }), meta('bob')).thenRejects('message.duplicate_nonce', 409);
    given(...withMembers(), withNonce).when(post('x', { nonce: 'n-1' }), meta('carol')).then({
      type: 'MessagePosted',
      data: { ...at, messageId: 'ID1', authorId: 'carol', content: 'x', nonce: 'n-1', replyTo: null, attachments: [], ...NO_MENTIONS },
    });
  });
});

describe('EditMessage and DeleteMessage', () => {
  const edit = (messageId: string, content: string) => ({ type: 'EditMessage' as const, data: { ...at, messageId, content } });
  const del = (messageId: string) => ({ type: 'DeleteMessage' as const, data: { ...at, messageId } });

  it('lets only the author edit, stamping the edit time and re-reading mentions', () => {
    given(...withMembers(), msg('m1')).when(edit('m1', 'hi <@carol>'), meta('bob')).then({
      type: 'MessageEdited',
      data: { ...at, messageId: 'm1', content: 'hi <@carol>', editedAt: NOW, mentionedUserIds: ['carol'], mentionedRoleIds: [], mentionsEveryone: false },
    });
    given(...withMembers(), msg('m1')).when(edit('m1', 'mine now'), meta('alice')).thenRejects('message.not_author', 403);
    given(...withMembers()).when(edit('m1', 'x'), meta('bob')).thenRejects('message.not_found', 404);
  });

  it('lets the author or a manageMessages holder delete, once', () => {
    given(...withMembers(), msg('m1')).when(del('m1'), meta('bob')).then({ type: 'MessageDeleted', data: { ...at, messageId: 'm1', deletedBy: 'bob' } });
    given(...staffed(P.manageMessages), msg('m1', 'carol')).when(del('m1'), meta('bob')).then({ type: 'MessageDeleted', data: { ...at, messageId: 'm1', deletedBy: 'bob' } });
    given(...withMembers(), msg('m1')).when(del('m1'), meta('carol')).thenRejects('permission.manageMessages', 403);
    given(...withMembers(), msg('m1'), { type: 'MessageDeleted', data: { ...at, messageId: 'm1', deletedBy: 'bob' } }).when(del('m1'), meta('bob')).thenRejects('message.not_found', 404);
  });

  it('bulk-deletes live messages with manageMessages only', () => {
    const bulk = (...messageIds: string[]) => ({ type: 'BulkDeleteMessages' as const, data: { ...at, messageIds } });
    given(...staffed(P.manageMessages), msg('m1'), msg('m2', 'carol')).when(bulk('m1', 'm2'), meta('bob')).then({ type: 'MessagesBulkDeleted', data: { ...at, messageIds: ['m1', 'm2'], deletedBy: 'bob' } });
    given(...staffed(P.manageMessages), msg('m1')).when(bulk('m1', 'm9'), meta('bob')).thenRejects('message.not_found', 404);
    given(...staffed(0), msg('m1')).when(bulk('m1'), meta('bob')).thenRejects('permission.manageMessages', 403);
  });
});

describe('pins and reactions', () => {
  const pin = (messageId: string) => ({ type: 'PinMessage' as const, data: { ...at, messageId } });
  const react = (type: 'AddReaction' | 'RemoveReaction', messageId: string, emoji: string) => ({ type, data: { ...at, messageId, emoji } });
  const reacted = (messageId: string, emoji: string, userId: string): ParleyEvent => ({ type: 'ReactionAdded', data: { ...at, messageId, emoji, userId } });

  it('pins with manageMessages, not twice, and at most 50 per channel', () => {
    given(...staffed(P.manageMessages), msg('m1')).when(pin('m1'), meta('bob')).then({ type: 'MessagePinned', data: { ...at, messageId: 'm1', pinnedBy: 'bob' } });
    given(...staffed(0), msg('m1')).when(pin('m1'), meta('bob')).thenRejects('permission.manageMessages', 403);
    const pinned = (id: string): ParleyEvent => ({ type: 'MessagePinned', data: { ...at, messageId: id, pinnedBy: 'alice' } });
    given(...withMembers(), msg('m1'), pinned('m1')).when(pin('m1'), meta('alice')).thenRejects('message.already_pinned', 409);
    const fifty = Array.from({ length: 50 }, (_, i) => [msg(`p${i}`), pinned(`p${i}`)]).flat();
    given(...withMembers(), ...fifty, msg('m1')).when(pin('m1'), meta('alice')).thenRejects('channel.pins_full', 409);
    // A deleted pinned message frees its place.
    given(...withMembers(), ...fifty, { type: 'MessageDeleted', data: { ...at, messageId: 'p0', deletedBy: 'alice' } }, msg('m1'))
      .when(pin('m1'), meta('alice'))
      .then({ type: 'MessagePinned', data: { ...at, messageId: 'm1', pinnedBy: 'alice' } });
    given(...withMembers(), msg('m1')).when({ type: 'UnpinMessage', data: { ...at, messageId: 'm1' } }, meta('alice')).thenRejects('message.not_pinned', 409);
  });

  it('adds one reaction per user and emoji, removes only your own', () => {
    given(...withMembers(), msg('m1')).when(react('AddReaction', 'm1', '👍'), meta('carol')).then(reacted('m1', '👍', 'carol'));
    given(...withMembers(), msg('m1'), reacted('m1', '👍', 'carol')).when(react('AddReaction', 'm1', '👍'), meta('carol')).thenRejects('reaction.exists', 409);
    given(...withMembers(), msg('m1'), reacted('m1', '👍', 'carol')).when(react('AddReaction', 'm1', '👍'), meta('bob')).then(reacted('m1', '👍', 'bob'));
    given(...withMembers(), msg('m1'), reacted('m1', '👍', 'carol')).when(react('RemoveReaction', 'm1', '👍'), meta('carol')).then({
      type: 'ReactionRemoved',
      data: { ...at, messageId: 'm1', emoji: '👍', userId: 'carol' },
    });
    given(...withMembers(), msg('m1'), reacted('m1', '👍', 'carol')).when(react('RemoveReaction', 'm1', '👍'), meta('bob')).thenRejects('reaction.not_found', 404);
  });

  it('holds at most 20 different emojis on a message', () => {
    const twenty = Array.from({ length: 20 }, (_, i) => reacted('m1', `e${i}`, 'carol'));
    given(...withMembers(), msg('m1'), ...twenty).when(react('AddReaction', 'm1', 'new'), meta('bob')).thenRejects('message.reactions_full', 409);
    given(...withMembers(), msg('m1'), ...twenty).when(react('AddReaction', 'm1', 'e3'), meta('bob')).then(reacted('m1', 'e3', 'bob'));
  });

  it('finds nothing in a channel the user cannot see', () => {
    given(...withMembers(), msg('m1'), ev.overwrite('ch1', 'member', 'carol', 0, P.viewChannel)).when(react('AddReaction', 'm1', '👍'), meta('carol')).thenRejects('permission.viewChannel', 403);
  });
});

describe('MarkRead', () => {
  const read = (messageId: string) => ({ type: 'MarkRead' as const, data: { ...at, messageId } });

  it("moves the reader's marker to a message, with that message's cursor, onto the reader's own stream", () => {
    // Events are numbered from 1 in order: m1 is the 5th event given here.
    given(...withMembers(), msg('m1'), msg('m2'))
      .when(read('m1'), meta('carol'))
      .then({ type: 'ChannelRead', data: { userId: 'carol', ...at, messageId: 'm1', messageCursor: 5 } });
  });

  it('accepts a deleted message as a place, refuses unknown ones and hidden channels', () => {
    given(...withMembers(), msg('m1'), { type: 'MessageDeleted', data: { ...at, messageId: 'm1', deletedBy: 'bob' } })
      .when(read('m1'), meta('carol'))
      .then({ type: 'ChannelRead', data: { userId: 'carol', ...at, messageId: 'm1', messageCursor: 5 } });
    given(...withMembers()).when(read('m9'), meta('carol')).thenRejects('message.not_found', 404);
    given(...withMembers(), msg('m1'), ev.overwrite('ch1', 'member', 'carol', 0, P.viewChannel)).when(read('m1'), meta('carol')).thenRejects('permission.viewChannel', 403);
  });
});
