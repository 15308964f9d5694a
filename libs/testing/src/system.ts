import { startApi, type ApiApp } from '@parley/api';
import { startCommandHandler, type CommandHandlerApp } from '@parley/command-handler';
import { DEFAULT_LIMITS, startGateway, type GatewayApp } from '@parley/gateway';
import { createLogger, type Logger } from '@parley/platform';
import { startProjectorApp, type ProjectorApp } from '@parley/projector';
import type { TestEnv } from './isolated-env.ts';

export type TestSystem = {
  logger: Logger;
  handler: CommandHandlerApp;
  projector: ProjectorApp;
  api: ApiApp;
  gateways: GatewayApp[];
  apiUrl: string;
  wsUrl(node: number): string;
  restartProjector(): Promise<void>;
  stop(): Promise<void>;
};

/**
 * The whole pipeline in this process (the same start functions the apps'
 * main.ts call), on free ports, against the test's own namespace and database.
 */
export async function startSystem(
  env: TestEnv,
  options: { gateways?: number; logLevel?: string; accessTtlSeconds?: number; limits?: Partial<typeof DEFAULT_LIMITS>; drainMs?: number } = {},
): Promise<TestSystem> {
  const logger = createLogger('test', options.logLevel ?? process.env['TEST_LOG_LEVEL'] ?? 'warn');
  const common = { natsUrl: env.natsUrl, databaseUrl: env.databaseUrl, namespace: env.namespace };
  // The projector migrates the database; start it first so the others find the tables.
  let projector = await startProjectorApp(common, logger.child({ app: 'projector' }));
  const handler = await startCommandHandler(common, logger.child({ app: 'command-handler' }));
  const signing = { ...env.keys, issuer: env.auth.issuer, audience: env.auth.audience, accessTtlSeconds: options.accessTtlSeconds ?? 900 };
  const api = await startApi({ ...common, host: '127.0.0.1', port: 0, auth: env.auth, signing }, logger.child({ app: 'api' }));
  const gateways: GatewayApp[] = [];
  for (let i = 0; i < (options.gateways ?? 1); i++) {
    gateways.push(
      await startGateway(
        { ...common, host: '127.0.0.1', port: 0, nodeId: `gw${i + 1}`, auth: env.auth, limits: { ...DEFAULT_LIMITS, ...options.limits }, drainMs: options.drainMs ?? 0 },
        logger.child({ app: 'gateway' }),
      ),
    );
  }
  return {
    logger,
    handler,
    get projector() {
      return projector;
    },
    api,
    gateways,
    apiUrl: `http://127.0.0.1:${api.port}`,
    wsUrl: (node) => `ws://127.0.0.1:${gateways[node]!.port}/ws`,
    async restartProjector() {
      await projector.stop();
      projector = await startProjectorApp(common, logger.child({ app: 'projector' }));
    },
    async stop() {
      for (const gateway of gateways) await gateway.stop();
      await api.stop();
      await handler.stop();
      await projector.stop();
    },
  };
}
