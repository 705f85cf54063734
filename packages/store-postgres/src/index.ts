export { openPostgresStore, PostgresStore } from './postgres-store.js';
export type { PostgresStoreOptions } from './postgres-store.js';
export { POSTGRES_MIGRATIONS, POSTGRES_SCHEMA_VERSION } from './migrations.js';
export type { PostgresMigration } from './migrations.js';
