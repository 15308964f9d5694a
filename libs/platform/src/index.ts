export * from './auth.ts';
export * from './config.ts';
export * from './ids.ts';
export * from './logger.ts';
export * from './names.ts';
export * from './nats.ts';
export * from './passwords.ts';
export * from './sessions.ts';
