import { ensureDevKeys, envInt, envString, mintToken, type Env } from '@parley/platform';

/** `npm run token -- <userId> [ttlSeconds]`: prints a development JWT signed with the local dev key. */
export async function tokenCommand(args: string[], env: Env, dataDir: string): Promise<void> {
  const [userId, ttl] = args;
  if (!userId) throw new UsageError('usage: npm run token -- <userId> [ttlSeconds]');
  const ttlSeconds = ttl === undefined ? envInt(env, 'TOKEN_TTL_SECONDS', 24 * 3600, { min: 1, max: 365 * 24 * 3600 }) : Number(ttl);
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1) throw new UsageError('ttlSeconds must be a positive integer');
  const keys = await ensureDevKeys(dataDir);
  const token = await mintToken({
    privateKeyFile: envString(env, 'JWT_PRIVATE_KEY_FILE', keys.privateKeyFile),
    issuer: envString(env, 'JWT_ISSUER', 'parley-dev'),
    audience: envString(env, 'JWT_AUDIENCE', 'parley'),
    userId,
    ttlSeconds,
  });
  process.stdout.write(`${token}\n`);
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}
