import { commonConfig, createLogger } from '@parley/platform';
import { startCommandHandler } from './app.ts';

const config = commonConfig(process.env, process.cwd());
const logger = createLogger('command-handler', config.logLevel);
const app = await startCommandHandler(config, logger);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    logger.info({ signal }, 'stopping');
    void app.stop().then(() => process.exit(0));
  });
}
