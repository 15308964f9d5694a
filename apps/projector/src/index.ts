export { Projector, type ProjectorDeps } from './projector.ts';
export { guildsProjection } from './guilds.projection.ts';
export { historyProjection } from './history.projection.ts';
export { readStatesProjection } from './read-states.projection.ts';
export type { Envelope, Projection } from './projection.ts';
export { startProjectorApp, type ProjectorApp } from './app.ts';
