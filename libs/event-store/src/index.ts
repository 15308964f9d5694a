export { EventLog } from './event-log.ts';
export { guildFold, messagesFold, userFold, StreamStates, type Fold, type Folded } from './stream-states.ts';
export { CommandRelay, type OutcomeListener } from './command-relay.ts';
