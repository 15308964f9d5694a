export { startCommandHandler, type CommandHandlerApp, type CommandHandlerConfig } from './app.ts';
