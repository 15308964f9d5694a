export { Projector, type ProjectorDeps } from './projector.ts';
export { guildsProjection } from './guilds.projection.ts';
export { historyProjection } from './history.projection.ts';
export { usersProjection } from './users.projection.ts';
export type { Envelope, Projection } from './projection.ts';
export { startProjectorApp, type ProjectorApp } from './app.ts';
