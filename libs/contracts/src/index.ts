export * from './codec.ts';
export { DEFAULT_SCHEMAS_DIR, SchemaError, SchemaRegistry } from './schema-registry.ts';
