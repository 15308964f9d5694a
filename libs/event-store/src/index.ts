export { EventLog } from './event-log.ts';
export { guildFold, messagesFold, StreamStates, type Fold, type Folded } from './stream-states.ts';
