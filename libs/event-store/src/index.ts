export { EventLog } from './event-log.ts';
export { GuildStates, type GuildEntry } from './guild-states.ts';
