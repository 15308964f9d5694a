import { authConfigFromEnv, commonConfig, createLogger, ensureDevKeys, envInt, envString } from '@parley/platform';
import { startApi } from './app.ts';

const env = process.env;
const common = commonConfig(env, process.cwd());
const logger = createLogger('api', common.logLevel);
const auth = await authConfigFromEnv(env, common.dataDir);
// Development keys are generated only when a key file is not configured.
const keyFile = async (name: string, pick: 'privateKeyFile' | 'publicKeyFile') => env[name] || (await ensureDevKeys(common.dataDir))[pick];
const app = await startApi(
  {
    ...common,
    host: envString(env, 'API_HOST', '127.0.0.1'),
    port: envInt(env, 'API_PORT', 8080, { min: 0, max: 65535 }),
    auth,
    signing: {
      privateKeyFile: await keyFile('JWT_PRIVATE_KEY_FILE', 'privateKeyFile'),
      publicKeyFile: await keyFile('JWT_PUBLIC_KEY_FILE', 'publicKeyFile'),
      issuer: auth.issuer,
      audience: auth.audience,
      accessTtlSeconds: envInt(env, 'ACCESS_TOKEN_TTL_SECONDS', 900, { min: 10, max: 24 * 3600 }),
    },
  },
  logger,
);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    logger.info({ signal }, 'stopping');
    void app.stop().then(() => process.exit(0));
  });
}
