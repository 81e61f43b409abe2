import { randomBytes } from "node:crypto";
import pg from "pg";
import { migrateUp, setReviewerLogin, upsertTenantReader } from "@liability/db";
import { harnessConfig } from "./config.ts";
import { ensureStack } from "./stack.ts";

export interface TestDatabase {
  /** The test's private schema, with all migrations applied. */
  schema: string;
  /** Admin (owner) connection string; its search_path is the test schema. Alias: adminUrl. */
  connectionString: string;
  adminUrl: string;
  /** The least-privilege worker role, search_path set to the test schema. */
  workerUrl: string;
  /**
   * The review console's role (lre_reviewer), search_path set to the test schema; its login is
   * (re)set on first use, so a stack migrated before the role existed works too.
   */
  reviewerUrl: () => Promise<string>;
  /** Creates a downstream reader login for one tenant and returns its connection string. */
  createReader: (tenantId: string) => Promise<string>;
  /** Drops the schema and any reader roles created; safe to call more than once. */
  cleanup: () => Promise<void>;
}

function withSearchPath(url: string, schema: string, credentials?: { user: string; password: string }): string {
  const u = new URL(url);
  if (credentials) {
    u.username = encodeURIComponent(credentials.user);
    u.password = encodeURIComponent(credentials.password);
  }
  u.searchParams.set("options", `-c search_path=${schema}`);
  return u.toString();
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: harnessConfig().TEST_DATABASE_ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * A schema of its own for one test, migrated from empty. Schemas, not databases, because
 * CREATE DATABASE takes seconds on this machine and a schema takes milliseconds; the roles are
 * cluster-wide and shared, each schema grants them its own privileges.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  await ensureStack();
  const config = harnessConfig();
  const schema = `t_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
  try {
    await migrateUp(config.TEST_DATABASE_ADMIN_URL, { schema });
  } catch (err) {
    await adminQuery(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {});
    throw err;
  }
  const adminUrl = withSearchPath(config.TEST_DATABASE_ADMIN_URL, schema);
  const readers: string[] = [];
  let cleaned = false;
  return {
    schema,
    connectionString: adminUrl,
    adminUrl,
    workerUrl: withSearchPath(config.TEST_DATABASE_ADMIN_URL, schema, {
      user: "lre_worker",
      password: config.LRE_PG_WORKER_PASSWORD,
    }),
    reviewerUrl: async () => {
      await setReviewerLogin(config.TEST_DATABASE_ADMIN_URL, config.LRE_PG_REVIEWER_PASSWORD);
      return withSearchPath(config.TEST_DATABASE_ADMIN_URL, schema, { user: "lre_reviewer", password: config.LRE_PG_REVIEWER_PASSWORD });
    },
    createReader: async (tenantId: string) => {
      const role = `lre_reader_${schema}_${readers.length}`;
      const password = randomBytes(18).toString("base64url");
      readers.push(role);
      await upsertTenantReader(config.TEST_DATABASE_ADMIN_URL, { role, password, tenantId, schema });
      return withSearchPath(config.TEST_DATABASE_ADMIN_URL, schema, { user: role, password });
    },
    cleanup: async () => {
      if (cleaned) return;
      cleaned = true;
      await adminQuery(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      for (const role of readers) await adminQuery(`DROP ROLE IF EXISTS "${role}"`);
    },
  };
}
