export * from './entities.ts';
export * from './checkpoint.ts';
export * from './queries.ts';
export { createOrm, migrate, MikroORM } from './orm.ts';
export type { EntityManager } from './orm.ts';
