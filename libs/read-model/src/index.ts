export * from './entities.ts';
export * from './access.entities.ts';
export * from './checkpoint.ts';
export * from './queries.ts';
export * from './guild.queries.ts';
export { loadGuildAccess } from './access.ts';
export { createOrm, migrate, MikroORM } from './orm.ts';
export type { EntityManager } from './orm.ts';
