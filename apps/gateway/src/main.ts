import { authConfigFromEnv, commonConfig, createLogger, envInt, envList, envString } from '@parley/platform';
import { hostname } from 'node:os';
import { DEFAULT_LIMITS, startGateway } from './app.ts';

const env = process.env;
const common = commonConfig(env, process.cwd());
const logger = createLogger('gateway', common.logLevel);
const drainMs = envInt(env, 'GATEWAY_DRAIN_MS', 5000, { min: 0, max: 600_000 });
const app = await startGateway(
  {
    ...common,
    host: envString(env, 'GATEWAY_HOST', '127.0.0.1'),
    port: envInt(env, 'GATEWAY_PORT', 8081, { min: 0, max: 65535 }),
    nodeId: envString(env, 'GATEWAY_NODE_ID', `${hostname().replace(/[^A-Za-z0-9_-]/g, '-')}-${process.pid}`),
    auth: await authConfigFromEnv(env, common.dataDir),
    drainMs,
    limits: {
      ...DEFAULT_LIMITS,
      maxFrameBytes: envInt(env, 'GATEWAY_MAX_FRAME_BYTES', DEFAULT_LIMITS.maxFrameBytes, { min: 1024, max: 16 * 1024 * 1024 }),
      commandsPerSecond: envInt(env, 'GATEWAY_COMMANDS_PER_SECOND', DEFAULT_LIMITS.commandsPerSecond, { min: 1, max: 100_000 }),
      maxConnectionsPerUser: envInt(env, 'GATEWAY_MAX_CONNECTIONS_PER_USER', DEFAULT_LIMITS.maxConnectionsPerUser, { min: 1, max: 10_000 }),
      maxConnectionsPerIp: envInt(env, 'GATEWAY_MAX_CONNECTIONS_PER_IP', DEFAULT_LIMITS.maxConnectionsPerIp, { min: 1, max: 1_000_000 }),
      allowedOrigins: envList(env, 'GATEWAY_ALLOWED_ORIGINS', DEFAULT_LIMITS.allowedOrigins),
      framesPerSecond: envInt(env, 'GATEWAY_FRAMES_PER_SECOND', DEFAULT_LIMITS.framesPerSecond, { min: 1, max: 100_000 }),
      maxBackpressureBytes: envInt(env, 'GATEWAY_MAX_BACKPRESSURE_BYTES', DEFAULT_LIMITS.maxBackpressureBytes, { min: 64 * 1024, max: 64 * 1024 * 1024 }),
      heartbeatMs: envInt(env, 'GATEWAY_HEARTBEAT_MS', DEFAULT_LIMITS.heartbeatMs, { min: 1000, max: 300_000 }),
      maxReplayEvents: envInt(env, 'GATEWAY_MAX_REPLAY_EVENTS', DEFAULT_LIMITS.maxReplayEvents, { min: 100, max: 10_000_000 }),
    },
  },
  logger,
);
// SIGTERM drains (clients are asked to move within GATEWAY_DRAIN_MS); the process exits within a bounded time either way.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    logger.info({ signal }, 'draining');
    setTimeout(() => {
      logger.error('drain took too long; exiting');
      process.exit(1);
    }, drainMs + 10_000).unref();
    void app.stop().then(() => process.exit(0));
  });
}
