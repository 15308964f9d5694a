export * from './errors.ts';
export * from './ids.ts';
export * from './events.ts';
export * from './guild/guild.events.ts';
export * from './guild/message.events.ts';
export * from './guild/guild.commands.ts';
export * from './guild/guild.decide.ts';
export { given } from './testing/decider-specification.ts';
