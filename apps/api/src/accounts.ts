import type { IncomingMessage } from 'node:http';
import type { KV } from '@nats-io/kv';
import type { CommandOutcome } from '@parley/contracts';
import { DomainError, parseLogin, parseProfileUpdate, parseRegistration, type AccountCommand } from '@parley/domain';
import type { CommandRelay } from '@parley/event-store';
import { hashPassword, mintToken, newId, publicJwks, verifyPassword, type Identity, type SessionStore, type UploadStore } from '@parley/platform';
import { findUser, PROJECTIONS, snapshot, type MikroORM } from '@parley/read-model';
import { readJson } from './body.ts';
import { HttpError } from './http.ts';

export type Signing = { privateKeyFile: string; publicKeyFile: string; issuer: string; audience: string; accessTtlSeconds: number };
export type AccountDeps = {
  relay: CommandRelay;
  credentials: KV;
  sessions: SessionStore;
  signing: Signing;
  orm: MikroORM;
  uploads: UploadStore;
  /** Verifies a bearer token, refusing revoked sessions. */
  authenticate: (req: IncomingMessage) => Promise<Identity>;
};
type Answer = { status: number; body: unknown };
type Credentials = { userId: string; hash: string };

// Checked against when a handle is unknown, so a wrong handle costs the same time as a wrong password.
const DUMMY_HASH = hashPassword('parley-dummy-password');

/**
 * Accounts and sessions over HTTP: register, log in, refresh, log out, my
 * profile, delete my account, and the JWKS. Account changes are commands on
 * the log like any other (their events on the user's own stream); handles
 * are made unique by an atomic KV create, and passwords never leave this
 * process except as scrypt hashes in the credentials bucket.
 */
export class Accounts {
  constructor(private readonly deps: AccountDeps) {}

  /** Answers a request on an account path, or returns null when the path is not one. */
  async serve(req: IncomingMessage, path: string): Promise<Answer | null> {
    const route = `${req.method} ${path}`;
    switch (route) {
      case 'GET /.well-known/jwks.json':
        return { status: 200, body: publicJwks(this.deps.signing.publicKeyFile) };
      case 'POST /v1/accounts':
        return this.register(await readJson(req));
      case 'POST /v1/sessions':
        return this.login(await readJson(req));
      case 'POST /v1/sessions/refresh':
        return this.refresh(await readJson(req));
      case 'DELETE /v1/sessions':
        return this.logout(await this.deps.authenticate(req), req);
      case 'GET /v1/me':
        return this.me(await this.deps.authenticate(req));
      case 'PATCH /v1/me':
        return this.updateProfile(await this.deps.authenticate(req), await readJson(req));
      case 'DELETE /v1/me':
        return this.deleteAccount(await this.deps.authenticate(req));
      default:
        return ACCOUNT_PATHS.has(path) ? { status: 405, body: { error: { code: 'method.not_allowed', message: `${req.method} is not supported on ${path}` } } } : null;
    }
  }

  private async register(body: unknown): Promise<Answer> {
    const registration = domain(() => parseRegistration(body));
    const userId = newId();
    const hash = await hashPassword(registration.password);
    try {
      await this.deps.credentials.create(handleKey(registration.handle), JSON.stringify({ userId, hash } satisfies Credentials));
    } catch (error) {
      // KV create refuses an existing key with "wrong last sequence"; anything else is not the client's doing.
      if (/wrong last sequence|key exists/i.test((error as Error).message)) throw new HttpError(409, 'account.handle_taken', `the handle ${registration.handle} is taken`);
      throw error;
    }
    await this.deps.credentials.put(userKey(userId), registration.handle);
    const { handle, displayName, email } = registration;
    const outcome = await this.command(userId, { type: 'RegisterAccount', data: { handle, displayName, email } }).catch(async (error: unknown) => {
      // Only a rejection frees the handle: after a timeout the command may still land.
      if (error instanceof HttpError) await this.release(userId, handle);
      throw error;
    });
    return { status: 201, body: { userId, handle, cursor: outcome, ...(await this.issue(userId)) } };
  }

  private async login(body: unknown): Promise<Answer> {
    const { handle, password } = domain(() => parseLogin(body));
    const entry = await this.deps.credentials.get(handleKey(handle));
    const credentials = entry?.operation === 'PUT' ? entry.json<Credentials>() : null;
    const ok = await verifyPassword(password, credentials?.hash ?? (await DUMMY_HASH));
    if (!credentials || !ok) throw new HttpError(401, 'auth.invalid_credentials', 'wrong handle or password');
    return { status: 200, body: { userId: credentials.userId, ...(await this.issue(credentials.userId)) } };
  }

  private async refresh(body: unknown): Promise<Answer> {
    const token = (body as { refreshToken?: unknown } | null)?.refreshToken;
    if (typeof token !== 'string' || token.length > 200) throw new HttpError(400, 'body.invalid', 'send { "refreshToken": "..." }');
    const rotated = await this.deps.sessions.rotate(token);
    if (!rotated) throw new HttpError(401, 'auth.invalid_refresh', 'the refresh token is unknown, used or revoked');
    return { status: 200, body: { userId: rotated.session.userId, ...(await this.tokens(rotated.session.userId, rotated.session.sessionId, rotated.refreshToken)) } };
  }

  private async logout(identity: Identity, req: IncomingMessage): Promise<Answer> {
    const everywhere = new URL(req.url ?? '/', 'http://localhost').searchParams.get('all') === 'true';
    if (everywhere) await this.deps.sessions.revokeAll(identity.userId);
    else if (identity.sessionId) await this.deps.sessions.revoke(identity.sessionId);
    else throw new HttpError(400, 'auth.no_session', 'this token has no session (a development token?); use ?all=true');
    // The event makes every gateway close the sockets of the ended sessions at once.
    await this.command(identity.userId, { type: 'RevokeSessions', data: { sessionId: everywhere ? null : identity.sessionId } });
    return { status: 204, body: null };
  }

  private async me(identity: Identity): Promise<Answer> {
    const profile = await snapshot(this.deps.orm.em.fork(), PROJECTIONS.users, (em) => findUser(em, identity.userId));
    if (!profile.data) throw new HttpError(404, 'account.not_found', 'no account for this token (yet: registration may still be projecting)');
    return { status: 200, body: profile };
  }

  private async updateProfile(identity: Identity, body: unknown): Promise<Answer> {
    const data = domain(() => parseProfileUpdate(body));
    // An avatar is an image the user uploaded themselves.
    const avatar = data.avatarId?.to;
    if (avatar && !(await this.deps.uploads.isOwnImage(avatar, identity.userId))) {
      throw new HttpError(400, 'upload.not_usable', 'avatarId must name an image you uploaded');
    }
    const cursor = await this.command(identity.userId, { type: 'UpdateProfile', data });
    return { status: 200, body: { cursor } };
  }

  /** The event closes the user's sockets on every gateway; the revocation refuses their tokens everywhere. */
  private async deleteAccount(identity: Identity): Promise<Answer> {
    const cursor = await this.command(identity.userId, { type: 'DeleteAccount', data: {} });
    const handle = await this.deps.credentials.get(userKey(identity.userId));
    if (handle?.operation === 'PUT') await this.release(identity.userId, handle.string());
    await this.deps.sessions.revokeAll(identity.userId);
    return { status: 200, body: { cursor } };
  }

  private async release(userId: string, handle: string): Promise<void> {
    await this.deps.credentials.delete(handleKey(handle));
    await this.deps.credentials.delete(userKey(userId));
  }

  /** Runs an account command; resolves with its event's cursor, or throws the rejection as HTTP. */
  private async command(userId: string, command: AccountCommand): Promise<number> {
    const outcome: CommandOutcome = await this.deps.relay.request(userId, newId(), command);
    if (outcome.status === 'accepted') return outcome.seq;
    throw new HttpError(outcome.statusCode, outcome.code, outcome.message);
  }

  private async issue(userId: string) {
    const { session, refreshToken } = await this.deps.sessions.create(userId);
    return this.tokens(userId, session.sessionId, refreshToken);
  }

  private async tokens(userId: string, sessionId: string, refreshToken: string) {
    const { privateKeyFile, issuer, audience, accessTtlSeconds } = this.deps.signing;
    const accessToken = await mintToken({ privateKeyFile, issuer, audience, userId, ttlSeconds: accessTtlSeconds, sessionId });
    return { sessionId, accessToken, refreshToken, expiresIn: accessTtlSeconds };
  }
}

/** Handles may hold characters KV keys refuse at their edges (`.a`), so keys carry them encoded. */
const handleKey = (handle: string) => `h.${Buffer.from(handle).toString('base64url')}`;
const userKey = (userId: string) => `u.${userId}`;

const ACCOUNT_PATHS = new Set(['/.well-known/jwks.json', '/v1/accounts', '/v1/sessions', '/v1/sessions/refresh', '/v1/me']);

/** Domain validation errors become 400s with their code. */
function domain<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof DomainError) throw new HttpError(error.status, error.code, error.message);
    throw error;
  }
}
