import { authConfigFromEnv, commonConfig, createLogger, envInt, envString } from '@parley/platform';
import { hostname } from 'node:os';
import { DEFAULT_LIMITS, startGateway } from './app.ts';

const env = process.env;
const common = commonConfig(env, process.cwd());
const logger = createLogger('gateway', common.logLevel);
const app = await startGateway(
  {
    ...common,
    host: envString(env, 'GATEWAY_HOST', '127.0.0.1'),
    port: envInt(env, 'GATEWAY_PORT', 8081, { min: 0, max: 65535 }),
    nodeId: envString(env, 'GATEWAY_NODE_ID', `${hostname().replace(/[^A-Za-z0-9_-]/g, '-')}-${process.pid}`),
    auth: await authConfigFromEnv(env, common.dataDir),
    limits: {
      ...DEFAULT_LIMITS,
      maxFrameBytes: envInt(env, 'GATEWAY_MAX_FRAME_BYTES', DEFAULT_LIMITS.maxFrameBytes, { min: 1024, max: 16 * 1024 * 1024 }),
      commandsPerSecond: envInt(env, 'GATEWAY_COMMANDS_PER_SECOND', DEFAULT_LIMITS.commandsPerSecond, { min: 1, max: 100_000 }),
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
