import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs on stdout. Every app names itself; request- and
 * command-scoped children carry `commandId` so one command's journey can be
 * followed across gateway, handler and projector with one grep.
 */
export function createLogger(app: string, level: string = 'info'): Logger {
  return pino({ name: app, level, base: { app }, timestamp: pino.stdTimeFunctions.isoTime });
}
