import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isId } from '@parley/domain';
import {
  createRemoteJWKSet,
  exportJWK,
  generateKeyPair,
  importJWK,
  jwtVerify,
  SignJWT,
  type JWK,
  type JWTVerifyGetKey,
} from 'jose';

/** Parley signs and accepts only EdDSA (Ed25519); pinning the algorithm closes alg-confusion attacks. */
export const JWT_ALGORITHM = 'EdDSA';

export type AuthConfig = {
  issuer: string;
  audience: string;
  /** A local public JWK file, or a remote JWKS URL (an external identity provider). */
  publicKey: { file: string } | { jwksUrl: string };
};

/** Who a verified token speaks for; `sessionId` is set on tokens issued at login (the `sid` claim). */
export type Identity = { userId: string; expiresAt: number; issuedAt: number; sessionId: string | null };

export class AuthError extends Error {
  override readonly name = 'AuthError';
}

type VerifyKey = JWTVerifyGetKey | Awaited<ReturnType<typeof importJWK>>;

export type TokenVerifier = (token: string) => Promise<Identity>;

export async function createVerifier(config: AuthConfig): Promise<TokenVerifier> {
  let key: VerifyKey;
  if ('jwksUrl' in config.publicKey) {
    key = createRemoteJWKSet(new URL(config.publicKey.jwksUrl));
  } else {
    const jwk = JSON.parse(readFileSync(config.publicKey.file, 'utf8')) as JWK;
    key = await importJWK(jwk, JWT_ALGORITHM);
  }
  return async (token) => {
    try {
      const { payload } = await jwtVerify(token, key as never, {
        algorithms: [JWT_ALGORITHM],
        issuer: config.issuer,
        audience: config.audience,
        requiredClaims: ['exp', 'sub'],
      });
      const userId = payload.sub;
      if (!isId(userId)) throw new AuthError('token subject is not a valid user id');
      const sessionId = typeof payload['sid'] === 'string' && isId(payload['sid']) ? payload['sid'] : null;
      return { userId, expiresAt: (payload.exp as number) * 1000, issuedAt: (payload.iat ?? 0) * 1000, sessionId };
    } catch (error) {
      if (error instanceof AuthError) throw error;
      throw new AuthError(`invalid token: ${(error as Error).message}`);
    }
  };
}

export type DevKeys = { privateKeyFile: string; publicKeyFile: string };

/**
 * Development signing keys, generated at first start into an ignored folder
 * (never committed). Production deployments point JWT_PUBLIC_KEY_FILE or
 * JWT_JWKS_URL at their own keys instead.
 */
export async function ensureDevKeys(dataDir: string): Promise<DevKeys> {
  const dir = join(dataDir, 'keys');
  const keys = { privateKeyFile: join(dir, 'dev-ed25519.private.jwk.json'), publicKeyFile: join(dir, 'dev-ed25519.public.jwk.json') };
  if (existsSync(keys.privateKeyFile) && existsSync(keys.publicKeyFile)) return keys;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const { privateKey, publicKey } = await generateKeyPair(JWT_ALGORITHM, { extractable: true, crv: 'Ed25519' });
  const kid = `dev-${Date.now().toString(36)}`;
  writeFileSync(keys.privateKeyFile, JSON.stringify({ ...(await exportJWK(privateKey)), kid, alg: JWT_ALGORITHM }), { mode: 0o600 });
  writeFileSync(keys.publicKeyFile, JSON.stringify({ ...(await exportJWK(publicKey)), kid, alg: JWT_ALGORITHM }));
  return keys;
}

export async function mintToken(options: {
  privateKeyFile: string;
  issuer: string;
  audience: string;
  userId: string;
  ttlSeconds: number;
  now?: number;
  sessionId?: string;
}): Promise<string> {
  if (!isId(options.userId)) throw new AuthError('user id must match [A-Za-z0-9_-]{1,64}');
  const jwk = JSON.parse(readFileSync(options.privateKeyFile, 'utf8')) as JWK;
  const key = await importJWK(jwk, JWT_ALGORITHM);
  const now = Math.floor((options.now ?? Date.now()) / 1000);
  return new SignJWT(options.sessionId ? { sid: options.sessionId } : {})
    .setProtectedHeader({ alg: JWT_ALGORITHM, ...(jwk.kid ? { kid: jwk.kid } : {}) })
    .setSubject(options.userId)
    .setIssuer(options.issuer)
    .setAudience(options.audience)
    .setIssuedAt(now)
    .setExpirationTime(now + options.ttlSeconds)
    .sign(key);
}

/**
 * Token settings from the environment: JWT_ISSUER, JWT_AUDIENCE, and either
 * JWT_JWKS_URL (an external identity provider) or JWT_PUBLIC_KEY_FILE
 * (default: the development key, generated on first use).
 */
export async function authConfigFromEnv(env: Record<string, string | undefined>, dataDir: string): Promise<AuthConfig> {
  const issuer = env['JWT_ISSUER'] || 'parley-dev';
  const audience = env['JWT_AUDIENCE'] || 'parley';
  const jwksUrl = env['JWT_JWKS_URL'];
  if (jwksUrl) return { issuer, audience, publicKey: { jwksUrl } };
  const file = env['JWT_PUBLIC_KEY_FILE'] || (await ensureDevKeys(dataDir)).publicKeyFile;
  return { issuer, audience, publicKey: { file } };
}

/** The public half of a key file as a JWKS document (`/.well-known/jwks.json`). */
export function publicJwks(publicKeyFile: string): { keys: JWK[] } {
  const { kty, crv, x, kid, alg } = JSON.parse(readFileSync(publicKeyFile, 'utf8')) as JWK;
  return { keys: [{ kty, crv, x, kid, alg, use: 'sig' }] };
}
