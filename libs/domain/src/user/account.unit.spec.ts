import { describe, expect, it } from 'vitest';
import { DomainError } from '../errors.ts';
import { NOW, meta } from '../testing/guild-fixtures.ts';
import { parseCommand } from '../commands.ts';
import { parseProfileUpdate, parseRegistration } from './account.commands.ts';
import { decideAccount } from './account.decide.ts';
import { evolveUser, initialUserState, type UserEvent } from './user.events.ts';

const registered: UserEvent = { type: 'AccountRegistered', data: { userId: 'u1', handle: 'alice', displayName: 'Alice', email: 'a@example.org' } };
const stateOf = (...events: UserEvent[]) => events.reduce(evolveUser, initialUserState());
const code = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return `${error.status} ${error.code}`;
    throw error;
  }
  return 'accepted';
};

describe('account decider', () => {
  it('registers once', () => {
    expect(decideAccount({ type: 'RegisterAccount', data: { handle: 'alice', displayName: 'Alice', email: 'a@example.org' } }, initialUserState(), meta('u1'))).toEqual(registered);
    expect(code(() => decideAccount({ type: 'RegisterAccount', data: { handle: 'x_y', displayName: 'X', email: 'x@example.org' } }, stateOf(registered), meta('u1')))).toBe('409 account.exists');
  });

  it('merges profile changes into full values', () => {
    const update = { type: 'UpdateProfile' as const, data: { displayName: null, bio: { to: 'rustacean' }, avatarId: null } };
    expect(decideAccount(update, stateOf(registered), meta('u1'))).toEqual({ type: 'ProfileUpdated', data: { userId: 'u1', displayName: 'Alice', bio: 'rustacean', avatarId: null } });
  });

  it('refuses everything but registration for a missing or deleted account', () => {
    const deleted: UserEvent = { type: 'AccountDeleted', data: { userId: 'u1', deletedAt: NOW } };
    expect(code(() => decideAccount({ type: 'DeleteAccount', data: {} }, initialUserState(), meta('u1')))).toBe('404 account.not_found');
    expect(code(() => decideAccount({ type: 'UpdateProfile', data: { displayName: 'X', bio: null, avatarId: null } }, stateOf(registered, deleted), meta('u1')))).toBe('404 account.not_found');
    // Sessions are not accounts: a user without one (development token, external provider) can still end them.
    expect(decideAccount({ type: 'RevokeSessions', data: { sessionId: null } }, initialUserState(), meta('dev'))).toEqual({ type: 'SessionsRevoked', data: { userId: 'dev', sessionId: null, at: NOW } });
    expect(decideAccount({ type: 'RevokeSessions', data: { sessionId: 's1' } }, stateOf(registered), meta('u1'))).toEqual({ type: 'SessionsRevoked', data: { userId: 'u1', sessionId: 's1', at: NOW } });
  });
});

describe('account input', () => {
  const ok = { handle: 'alice.b-c_1', displayName: 'Alice', email: 'Alice@Example.org', password: 'correct horse' };

  it('accepts a valid registration and folds the e-mail to lower case', () => {
    expect(parseRegistration(ok)).toEqual({ ...ok, email: 'alice@example.org' });
  });

  it.each([
    ['a short handle', { handle: 'ab' }, '400 input.invalid_handle'],
    ['an upper-case handle', { handle: 'Alice' }, '400 input.invalid_handle'],
    ['a handle with a space', { handle: 'al ice' }, '400 input.invalid_handle'],
    ['a 33-character handle', { handle: 'a'.repeat(33) }, '400 input.invalid_handle'],
    ['a display name with a zero-width space', { displayName: 'Al\u200bice' }, '400 input.bad_characters'],
    ['an e-mail without a domain', { email: 'alice@' }, '400 input.invalid_email'],
    ['a short password', { password: 'short' }, '400 input.out_of_range'],
    ['a password that is an object', { password: { length: 12 } }, '400 input.not_string'],
    ['an extra field', { admin: true }, '400 input.unknown_field'],
  ])('refuses %s', (_label, change, expected) => {
    expect(code(() => parseRegistration({ ...ok, ...change }))).toBe(expected);
  });

  it('reads profile changes, and refuses an empty one', () => {
    expect(parseProfileUpdate({ bio: '', avatarId: 'up1' })).toEqual({ displayName: null, bio: { to: null }, avatarId: { to: 'up1' } });
    expect(code(() => parseProfileUpdate({}))).toBe('400 input.nothing_to_change');
  });

  it('never takes account commands from a socket', () => {
    expect(code(() => parseCommand('RegisterAccount', { handle: 'mallory', displayName: 'M', email: 'm@example.org' }))).toBe('400 command.unknown_type');
    expect(code(() => parseCommand('RevokeSessions', { sessionId: null }))).toBe('400 command.unknown_type');
  });
});
