import { invalid } from '../errors.ts';
import { assertId } from '../ids.ts';
import { readClearableText, readName, readObject, readOptionalName, type Change, type Fields } from '../input.ts';

export const ACCOUNT_LIMITS = { displayName: 64, bio: 500, email: 254, passwordMin: 8, passwordMax: 256 } as const;

export const HANDLE_PATTERN = /^[a-z0-9_.-]{3,32}$/;
const EMAIL_PATTERN = /^[^\s@<>()[\]\\,;:"]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,63}$/;

type C<T extends string, D> = { type: T; data: D };

/** The actor is the new account: its id is issued by the API that registers it, never chosen by the client. */
export type RegisterAccount = C<'RegisterAccount', { handle: string; displayName: string; email: string }>;
export type UpdateProfile = C<'UpdateProfile', { displayName: string | null; bio: Change<string | null>; avatarId: Change<string | null> }>;
export type DeleteAccount = C<'DeleteAccount', Record<string, never>>;
export type RevokeSessions = C<'RevokeSessions', { sessionId: string | null }>;

export type AccountCommand = RegisterAccount | UpdateProfile | DeleteAccount | RevokeSessions;

/** A registration as a client sends it (the password never leaves the API). */
export type Registration = { handle: string; displayName: string; email: string; password: string };

function readPassword(f: Fields): string {
  const raw = f['password'];
  if (typeof raw !== 'string') throw invalid('input.not_string', 'password must be a string');
  if (raw.length < ACCOUNT_LIMITS.passwordMin || raw.length > ACCOUNT_LIMITS.passwordMax) {
    throw invalid('input.out_of_range', `password must be ${ACCOUNT_LIMITS.passwordMin} to ${ACCOUNT_LIMITS.passwordMax} characters`);
  }
  return raw;
}

export function readHandle(f: Fields): string {
  const raw = f['handle'];
  if (typeof raw !== 'string' || !HANDLE_PATTERN.test(raw)) {
    throw invalid('input.invalid_handle', 'handle must be 3 to 32 characters of a-z, 0-9, _, . and -');
  }
  return raw;
}

export function parseRegistration(body: unknown): Registration {
  const f = readObject(body, 'body', ['handle', 'displayName', 'email', 'password']);
  const email = f['email'];
  if (typeof email !== 'string' || email.length > ACCOUNT_LIMITS.email || !EMAIL_PATTERN.test(email)) {
    throw invalid('input.invalid_email', 'email must be an address like name@example.org');
  }
  return { handle: readHandle(f), displayName: readName(f, 'displayName', ACCOUNT_LIMITS.displayName), email: email.toLowerCase(), password: readPassword(f) };
}

export function parseLogin(body: unknown): { handle: string; password: string } {
  const f = readObject(body, 'body', ['handle', 'password']);
  return { handle: readHandle(f), password: readPassword(f) };
}

export function parseProfileUpdate(body: unknown): UpdateProfile['data'] {
  const f = readObject(body, 'body', ['displayName', 'bio', 'avatarId']);
  const data = {
    displayName: readOptionalName(f, 'displayName', ACCOUNT_LIMITS.displayName),
    bio: readClearableText(f, 'bio', ACCOUNT_LIMITS.bio),
    avatarId: f['avatarId'] === undefined ? null : { to: f['avatarId'] === null ? null : assertId(f['avatarId'], 'avatarId') },
  };
  if (data.displayName === null && data.bio === null && data.avatarId === null) throw invalid('input.nothing_to_change', 'name at least one field to change');
  return data;
}
