import { commonConfig } from '@parley/platform';
import { startCommand } from './start.ts';
import { tokenCommand, UsageError } from './token.ts';

const [command, ...args] = process.argv.slice(2);
const { dataDir } = commonConfig(process.env, process.cwd());
try {
  switch (command) {
    case 'start':
      await startCommand(process.env);
      break;
    case 'token':
      await tokenCommand(args, process.env, dataDir);
      break;
    default:
      throw new UsageError('usage: parley <start|token> ...  (npm start, npm run token -- <userId>)');
  }
} catch (error) {
  if (error instanceof UsageError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  throw error;
}
