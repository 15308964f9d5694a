import { randomBytes } from 'node:crypto';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * A 26-character, time-ordered, server-issued id (ULID layout: 48 bits of
 * milliseconds, 80 random bits, Crockford base32). Matches ID_PATTERN.
 */
export function newId(now: number = Date.now()): string {
  let out = '';
  let time = now;
  for (let i = 0; i < 10; i++) {
    out = CROCKFORD[time % 32]! + out;
    time = Math.floor(time / 32);
  }
  const random = randomBytes(16);
  for (let i = 0; i < 16; i++) out += CROCKFORD[random[i]! % 32]!;
  return out;
}

/** An unguessable invite code: 10 base62 characters from a CSPRNG (about 59 bits), without modulo bias. */
export function newInviteCode(): string {
  let out = '';
  while (out.length < 10) {
    for (const byte of randomBytes(16)) {
      if (byte < 248 && out.length < 10) out += BASE62[byte % 62]!;
    }
  }
  return out;
}
