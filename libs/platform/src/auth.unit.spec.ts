import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importJWK, SignJWT, UnsecuredJWT, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthError, createVerifier, ensureDevKeys, mintToken, type AuthConfig, type DevKeys, type TokenVerifier } from './auth.ts';

// The verifier is the only gate between a bearer token and a user id that ends
// up in NATS subjects and KV keys (promises 6 and 7): everything but a
// well-formed, EdDSA-signed, unexpired token for this issuer and audience,
// naming a safe user id, must be refused with AuthError.
const ISSUER = 'parley-unit';
const AUDIENCE = 'parley';

describe('token verification', () => {
  let dir: string;
  let keys: DevKeys;
  let otherKeys: DevKeys;
  let verify: TokenVerifier;
  let privateKey: Awaited<ReturnType<typeof importJWK>>;

  const mint = (userId: string, overrides: Partial<Parameters<typeof mintToken>[0]> = {}) =>
    mintToken({ privateKeyFile: keys.privateKeyFile, issuer: ISSUER, audience: AUDIENCE, userId, ttlSeconds: 600, ...overrides });

  /** A token signed with the real private key but with hand-picked claims (what a buggy or hostile issuer could produce). */
  const signRaw = (claims: Record<string, unknown>, expiresIn: number | null = 600) => {
    const now = Math.floor(Date.now() / 1000);
    const jwt = new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA' }).setIssuer(ISSUER).setAudience(AUDIENCE).setIssuedAt(now);
    return (expiresIn === null ? jwt : jwt.setExpirationTime(now + expiresIn)).sign(privateKey);
  };

  const expectRejected = async (token: string, message?: RegExp) => {
    const failure = await verify(token).then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(AuthError);
    if (message) expect((failure as Error).message).toMatch(message);
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'parley-auth-unit-'));
    keys = await ensureDevKeys(join(dir, 'ours'));
    otherKeys = await ensureDevKeys(join(dir, 'theirs'));
    const config: AuthConfig = { issuer: ISSUER, audience: AUDIENCE, publicKey: { file: keys.publicKeyFile } };
    verify = await createVerifier(config);
    privateKey = await importJWK(JSON.parse(readFileSync(keys.privateKeyFile, 'utf8')) as JWK, 'EdDSA');
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('verifies a minted token to its user id and expiry', async () => {
    const before = Date.now();
    const identity = await verify(await mint('alice_01-x', { ttlSeconds: 120 }));
    expect(identity.userId).toBe('alice_01-x');
    expect(identity.expiresAt).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 120_000);
    expect(identity.expiresAt).toBeLessThanOrEqual(before + 121_000);
  });

  it('keeps existing dev keys instead of regenerating them', async () => {
    const again = await ensureDevKeys(join(dir, 'ours'));
    expect(again).toEqual(keys);
    expect((await verify(await mint('bob'))).userId).toBe('bob');
  });

  it('rejects a token from another issuer', async () => {
    await expectRejected(await mint('alice', { issuer: 'someone-else' }), /iss/);
  });

  it('rejects a token for another audience', async () => {
    await expectRejected(await mint('alice', { audience: 'another-service' }), /aud/);
  });

  it('rejects an expired token', async () => {
    await expectRejected(await mint('alice', { ttlSeconds: 60, now: Date.now() - 3600_000 }), /exp/);
  });

  it('rejects a token that is not yet valid', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({}).setProtectedHeader({ alg: 'EdDSA' }).setSubject('alice').setIssuer(ISSUER)
      .setAudience(AUDIENCE).setNotBefore(now + 3600).setExpirationTime(now + 7200).sign(privateKey);
    await expectRejected(token, /nbf/);
  });

  it('rejects a token without an expiry or without a subject', async () => {
    await expectRejected(await signRaw({ sub: 'alice' }, null), /exp/);
    await expectRejected(await signRaw({}), /sub/);
  });

  it('rejects a token signed by another key, even with our issuer, audience and kid', async () => {
    const ours = JSON.parse(readFileSync(keys.publicKeyFile, 'utf8')) as JWK;
    const foreign = await mintToken({ privateKeyFile: otherKeys.privateKeyFile, issuer: ISSUER, audience: AUDIENCE, userId: 'alice', ttlSeconds: 600 });
    await expectRejected(foreign, /signature/);
    const theirKey = await importJWK(JSON.parse(readFileSync(otherKeys.privateKeyFile, 'utf8')) as JWK, 'EdDSA');
    const spoofedKid = await new SignJWT({}).setProtectedHeader({ alg: 'EdDSA', kid: ours.kid! }).setSubject('alice').setIssuer(ISSUER)
      .setAudience(AUDIENCE).setExpirationTime('10m').sign(theirKey);
    await expectRejected(spoofedKid, /signature/);
  });

  it('rejects an HS256 token keyed with the public key (algorithm confusion)', async () => {
    for (const secret of [readFileSync(keys.publicKeyFile), new TextEncoder().encode('a-shared-secret-of-thirty-two-bytes!')]) {
      const token = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('alice').setIssuer(ISSUER)
        .setAudience(AUDIENCE).setExpirationTime('10m').sign(new Uint8Array(secret));
      await expectRejected(token, /alg/);
    }
  });

  it('rejects an unsigned alg:none token', async () => {
    const unsigned = new UnsecuredJWT({}).setSubject('alice').setIssuer(ISSUER).setAudience(AUDIENCE).setExpirationTime('10m').encode();
    expect(unsigned.split('.')[2]).toBe('');
    await expectRejected(unsigned);
    // The same claims with a real signature glued on do not pass either.
    const signed = (await mint('alice')).split('.');
    await expectRejected(`${unsigned.split('.')[0]}.${signed[1]}.${signed[2]}`);
  });

  it('rejects a token whose body was altered after signing', async () => {
    const [header, , signature] = (await mint('alice')).split('.');
    const body = Buffer.from(JSON.stringify({ sub: 'mallory', iss: ISSUER, aud: AUDIENCE, exp: Math.floor(Date.now() / 1000) + 600 })).toString('base64url');
    await expectRejected(`${header}.${body}.${signature}`, /signature/);
  });

  it.each([
    ['a dot', 'alice.bob'],
    ['a star', 'alice*'],
    ['a greater-than', '>'],
    ['a space', 'alice bob'],
    ['a newline', 'alice\r\nbob'],
    ['nothing', ''],
    ['65 characters', 'a'.repeat(65)],
  ])('rejects a signed token whose subject contains %s', async (_what, sub) => {
    await expectRejected(await signRaw({ sub }), /subject/);
  });

  it('rejects a signed token whose subject is not a string', async () => {
    await expectRejected(await signRaw({ sub: 42 }));
  });

  it('refuses to mint a token for an unsafe user id', async () => {
    await expect(mint('alice.*')).rejects.toBeInstanceOf(AuthError);
  });

  it.each([
    ['an empty string', ''],
    ['garbage', 'not-a-jwt'],
    ['three empty parts', '..'],
    ['bad base64', '!!!.@@@.###'],
  ])('rejects %s', async (_what, token) => {
    await expectRejected(token);
  });
});
