import { commonConfig, createLogger } from '@parley/platform';
import { startProjectorApp } from './app.ts';

const config = commonConfig(process.env, process.cwd());
const logger = createLogger('projector', config.logLevel);
const app = await startProjectorApp(config, logger);
logger.info('projector started');
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    logger.info({ signal }, 'stopping');
    void app.stop().then(() => process.exit(0));
  });
}
