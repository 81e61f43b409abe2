// `node infra/db/src/cli.ts migrate`: applies migrations and provisions the application logins.
// Run by infra/local/up.sh; usable against any database given DATABASE_ADMIN_URL.
import { loadDbAdminConfig } from "./config.ts";
import { migrateUp } from "./migrate.ts";
import { setReviewerLogin, setWorkerLogin, upsertTenantReader } from "./roles.ts";

async function main(): Promise<void> {
  const command = process.argv[2];
  if (command !== "migrate") {
    console.error("usage: cli.ts migrate");
    process.exit(2);
  }
  const config = loadDbAdminConfig();
  const applied = await migrateUp(config.DATABASE_ADMIN_URL, { schema: config.DATABASE_SCHEMA });
  console.log(applied.length > 0 ? `[db] applied ${applied.join(", ")}` : "[db] migrations up to date");
  await setWorkerLogin(config.DATABASE_ADMIN_URL, config.LRE_PG_WORKER_PASSWORD);
  await setReviewerLogin(config.DATABASE_ADMIN_URL, config.LRE_PG_REVIEWER_PASSWORD);
  if (config.LRE_PG_READER_ROLE && config.LRE_PG_READER_PASSWORD && config.LRE_PG_READER_TENANT) {
    await upsertTenantReader(config.DATABASE_ADMIN_URL, {
      role: config.LRE_PG_READER_ROLE,
      password: config.LRE_PG_READER_PASSWORD,
      tenantId: config.LRE_PG_READER_TENANT,
      schema: config.DATABASE_SCHEMA,
    });
    console.log(`[db] reader ${config.LRE_PG_READER_ROLE} mapped to its tenant`);
  }
}

main().catch((err: unknown) => {
  console.error(`[db] ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
