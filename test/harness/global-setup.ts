// node --test --test-global-setup=test/harness/global-setup.ts …
// Brings the local stack up once per test run (or reuses it when it is already up). The stack is
// left running afterwards: starting Kafka costs tens of seconds, and other runs share it.
import pg from "pg";
import { harnessConfig } from "./config.ts";
import { testKafka } from "./kafka.ts";
import { ensureStack } from "./stack.ts";

// Older than this, a test's schema or topics belong to a run that crashed before its cleanup.
const STALE_AFTER_MS = 6 * 3600 * 1000;

/** Test names embed their creation time in base 36 (see uniqueName and createTestDatabase). */
function createdAt(name: string, pattern: RegExp): number | undefined {
  const m = pattern.exec(name);
  return m?.[1] ? parseInt(m[1], 36) : undefined;
}

async function dropStaleLeftovers(): Promise<void> {
  const now = Date.now();
  const client = new pg.Client({ connectionString: harnessConfig().TEST_DATABASE_ADMIN_URL });
  await client.connect();
  try {
    const schemas = await client.query<{ nspname: string }>("SELECT nspname FROM pg_namespace WHERE nspname LIKE 't\\_%'");
    for (const { nspname } of schemas.rows) {
      const t = createdAt(nspname, /^t_([0-9a-z]+)_[0-9a-f]{8}$/);
      if (t !== undefined && now - t > STALE_AFTER_MS) {
        await client.query(`DROP SCHEMA IF EXISTS ${client.escapeIdentifier(nspname)} CASCADE`);
      }
    }
    const roles = await client.query<{ rolname: string }>("SELECT rolname FROM pg_roles WHERE rolname LIKE 'lre\\_reader\\_t\\_%'");
    for (const { rolname } of roles.rows) {
      const t = createdAt(rolname, /^lre_reader_t_([0-9a-z]+)_/);
      if (t !== undefined && now - t > STALE_AFTER_MS) {
        await client.query(`DROP ROLE IF EXISTS ${client.escapeIdentifier(rolname)}`);
      }
    }
  } finally {
    await client.end();
  }
  const admin = testKafka("lre-test-janitor").admin();
  await admin.connect();
  try {
    const stale = (await admin.listTopics()).filter((topic) => {
      const t = createdAt(topic, /^[a-z]+\.([0-9a-z]+)\.[0-9a-f]{8}\.\d+$/);
      return t !== undefined && now - t > STALE_AFTER_MS;
    });
    if (stale.length > 0) await admin.deleteTopics({ topics: stale });
  } finally {
    await admin.disconnect();
  }
}

export async function globalSetup(): Promise<void> {
  // Runs up.sh even when the ports answer, so that topics and migrations are current.
  await ensureStack({ force: true });
  try {
    await dropStaleLeftovers();
  } catch (err) {
    // Housekeeping only; a failure here must not fail the run.
    console.warn(`[harness] could not drop stale test schemas or topics: ${(err as Error).message}`);
  }
}

export async function globalTeardown(): Promise<void> {}
