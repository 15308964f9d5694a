import { createHash, randomBytes } from 'node:crypto';
import { Kvm, type KV } from '@nats-io/kv';
import type { Identity } from './auth.ts';
import { newId } from './ids.ts';
import type { Names } from './names.ts';
import type { NatsConnection } from './nats.ts';

export type Session = { userId: string; sessionId: string; createdAt: number };

const digest = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * Sessions and their revocation, in one KV bucket whose TTL is the refresh
 * token's lifetime:
 * - `t.<sha256(refresh token)>` -> the session (the token itself is never stored);
 * - `rs.<sessionId>` -> revoked at (one session logged out);
 * - `ru.<userId>` -> revoked at (every session of the user, e.g. account deleted).
 * Access tokens are short-lived JWTs carrying the session id (`sid`);
 * `isRevoked` lets every edge refuse one issued before a revocation.
 */
export class SessionStore {
  private constructor(private readonly kv: KV) {}

  static async open(nc: NatsConnection, names: Names): Promise<SessionStore> {
    return new SessionStore(await new Kvm(nc).open(names.sessionBucket));
  }

  /** Starts a session; returns it with its refresh token. */
  async create(userId: string, now = Date.now()): Promise<{ session: Session; refreshToken: string }> {
    const session = { userId, sessionId: newId(now), createdAt: now };
    return { session, refreshToken: await this.store(session) };
  }

  /** Trades a refresh token for a new one in the same session; null when unknown, used or revoked. */
  async rotate(refreshToken: string): Promise<{ session: Session; refreshToken: string } | null> {
    const key = `t.${digest(refreshToken)}`;
    const entry = await this.kv.get(key);
    if (!entry || entry.operation !== 'PUT') return null;
    const session = entry.json<Session>();
    await this.kv.delete(key);
    if (await this.revokedAt(session.userId, session.sessionId, session.createdAt)) return null;
    return { session, refreshToken: await this.store(session) };
  }

  /** Ends one session: its refresh token (if given) goes, and its access tokens are refused. */
  async revoke(sessionId: string, refreshToken?: string, now = Date.now()): Promise<void> {
    if (refreshToken) await this.kv.delete(`t.${digest(refreshToken)}`);
    await this.kv.put(`rs.${sessionId}`, String(now));
  }

  /** Ends every session of a user that exists now. */
  async revokeAll(userId: string, now = Date.now()): Promise<void> {
    await this.kv.put(`ru.${userId}`, String(now));
  }

  /** Whether a verified token belongs to a revoked session. */
  async isRevoked(identity: Identity): Promise<boolean> {
    return (await this.revokedAt(identity.userId, identity.sessionId, identity.issuedAt)) !== null;
  }

  private async revokedAt(userId: string, sessionId: string | null, issuedAt: number): Promise<number | null> {
    const all = await this.kv.get(`ru.${userId}`);
    if (all?.operation === 'PUT' && Number(all.string()) >= issuedAt) return Number(all.string());
    if (sessionId === null) return null;
    const one = await this.kv.get(`rs.${sessionId}`);
    return one?.operation === 'PUT' ? Number(one.string()) : null;
  }

  private async store(session: Session): Promise<string> {
    const refreshToken = randomBytes(32).toString('base64url');
    await this.kv.put(`t.${digest(refreshToken)}`, JSON.stringify(session));
    return refreshToken;
  }
}
