import assert from "node:assert/strict";
import { after, test } from "node:test";
import pg from "pg";
import { migrateDownAll, migrateUp } from "@liability/db";
import { createTestDatabase } from "../harness/index.ts";
import type { TestDatabase } from "../harness/index.ts";
import { harnessConfig } from "../harness/config.ts";

const dbs: TestDatabase[] = [];
after(async () => {
  for (const db of dbs) await db.cleanup();
});

async function tablesIn(url: string, schema: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const r = await client.query<{ relname: string }>(
      `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relkind IN ('r', 'v') ORDER BY 1`,
      [schema],
    );
    return r.rows.map((row) => row.relname);
  } finally {
    await client.end();
  }
}

test("migrations apply to an empty schema, and a second run changes nothing", async () => {
  const db = await createTestDatabase(); // already migrated once by the harness
  dbs.push(db);
  const adminUrl = harnessConfig().TEST_DATABASE_ADMIN_URL;
  assert.deepEqual(await tablesIn(adminUrl, db.schema), [
    "dead_letter_replays",
    "extraction_attempts",
    "liability_records",
    "outbox",
    "pgmigrations",
    "reader_liability_records",
    "review_audit",
    "review_documents",
    "review_queue",
    "tenant_readers",
  ]);
  assert.deepEqual(await migrateUp(adminUrl, { schema: db.schema }), []);
  assert.deepEqual(await migrateUp(adminUrl, { schema: db.schema }), []);
});

test("migrations apply to a brand-new schema from nothing, twice, and revert cleanly", async () => {
  const db = await createTestDatabase();
  dbs.push(db);
  const adminUrl = harnessConfig().TEST_DATABASE_ADMIN_URL;
  const reverted = await migrateDownAll(adminUrl, { schema: db.schema });
  assert.ok(reverted.length >= 1);
  assert.deepEqual(await tablesIn(adminUrl, db.schema), ["pgmigrations"]);
  const applied = await migrateUp(adminUrl, { schema: db.schema });
  assert.deepEqual(applied, reverted.toReversed());
  assert.deepEqual(await migrateUp(adminUrl, { schema: db.schema }), []);
});

test("parallel migrations of different schemas do not block or break each other", async () => {
  const settled = await Promise.allSettled([createTestDatabase(), createTestDatabase(), createTestDatabase()]);
  const made = settled.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  dbs.push(...made);
  assert.deepEqual(
    settled.filter((s) => s.status === "rejected"),
    [],
  );
  for (const db of made) {
    assert.ok((await tablesIn(harnessConfig().TEST_DATABASE_ADMIN_URL, db.schema)).includes("liability_records"));
  }
});
