export { migrateUp, migrateDownAll, migrationsDir } from "./migrate.ts";
export type { MigrateOptions } from "./migrate.ts";
export { setWorkerLogin, upsertTenantReader, WORKER_ROLE, READER_ROLE } from "./roles.ts";
export type { TenantReader } from "./roles.ts";
export { dbAdminConfigSchema, loadDbAdminConfig } from "./config.ts";
export type { DbAdminConfig } from "./config.ts";
