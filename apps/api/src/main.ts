import { authConfigFromEnv, commonConfig, createLogger, envInt, envString } from '@parley/platform';
import { startApi } from './app.ts';

const env = process.env;
const common = commonConfig(env, process.cwd());
const logger = createLogger('api', common.logLevel);
const app = await startApi(
  {
    databaseUrl: common.databaseUrl,
    host: envString(env, 'API_HOST', '127.0.0.1'),
    port: envInt(env, 'API_PORT', 8080, { min: 0, max: 65535 }),
    auth: await authConfigFromEnv(env, common.dataDir),
  },
  logger,
);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    logger.info({ signal }, 'stopping');
    void app.stop().then(() => process.exit(0));
  });
}
