export { migrateUp, migrateDownAll, migrationsDir } from "./migrate.ts";
export type { MigrateOptions } from "./migrate.ts";
export { setReviewerLogin, setWorkerLogin, upsertTenantReader, READER_ROLE, REPLAYER_ROLE, REVIEWER_ROLE, WORKER_ROLE } from "./roles.ts";
export type { TenantReader } from "./roles.ts";
export { dbAdminConfigSchema, loadDbAdminConfig } from "./config.ts";
export type { DbAdminConfig } from "./config.ts";
