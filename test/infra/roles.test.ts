import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import pg from "pg";
import { createTestDatabase } from "../harness/index.ts";
import type { TestDatabase } from "../harness/index.ts";

let db: TestDatabase;
before(async () => {
  db = await createTestDatabase();
});
after(async () => {
  await db?.cleanup();
});

async function as<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Resolves to the SQLSTATE the statement fails with. */
async function failsWith(c: pg.Client, sql: string, params: unknown[] = []): Promise<string> {
  try {
    await c.query(sql, params);
  } catch (err) {
    return (err as { code: string }).code;
  }
  assert.fail(`expected to fail: ${sql}`);
}

const INSUFFICIENT_PRIVILEGE = "42501";

function recordRow(documentId: string, tenantId: string) {
  return [documentId, tenantId, "accepted", "mortgage", "First Bank", "1234", "250000.10", "m", "v1", "p1"];
}
const insertRecord = `INSERT INTO liability_records
  (document_id, tenant_id, status, liability_type, lender_name, account_last4, current_balance,
   model_id, model_version, prompt_version)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`;

test("the worker writes records, review items, attempts and outbox rows", async () => {
  await as(db.workerUrl, async (c) => {
    await c.query(insertRecord, recordRow("doc-w1", "tenant-a"));
    // A redelivery writes nothing a second time.
    const again = await c.query(`${insertRecord} ON CONFLICT (tenant_id, document_id) DO NOTHING`, recordRow("doc-w1", "tenant-a"));
    assert.equal(again.rowCount, 0);
    await c.query(
      `INSERT INTO review_queue (document_id, tenant_id, reasons, raw_model_output)
       VALUES ('doc-w1', 'tenant-a', '[{"code":"low_confidence"}]', '{}')
       ON CONFLICT (tenant_id, document_id) WHERE status IN ('pending', 'in_review') DO NOTHING`,
    );
    await c.query("INSERT INTO extraction_attempts (document_id, attempt, outcome) VALUES ('doc-w1', 1, 'review')");
    const o = await c.query("INSERT INTO outbox (aggregate_key, topic, payload) VALUES ('doc-w1', 'liability.recorded.v1', $1) RETURNING id", [
      Buffer.from([1, 2, 3]),
    ]);
    assert.equal(o.rowCount, 1);
    // What the relay keeps about a row: its lease, attempts, error, parking and publication.
    await c.query(`UPDATE outbox SET lease_until = now(), attempts = attempts + 1, last_error = 'x', parked_at = NULL, published_at = now() WHERE id = $1`, [
      o.rows[0].id,
    ]);
  });
});

test("the worker cannot rewrite a stored record, a review item or an event's payload", async () => {
  await as(db.workerUrl, async (c) => {
    assert.equal(await failsWith(c, "UPDATE liability_records SET current_balance = 1"), INSUFFICIENT_PRIVILEGE);
    assert.equal(
      await failsWith(
        c,
        `${insertRecord} ON CONFLICT (tenant_id, document_id) DO UPDATE SET current_balance = EXCLUDED.current_balance`,
        recordRow("doc-w1", "tenant-a"),
      ),
      INSUFFICIENT_PRIVILEGE,
    );
    assert.equal(await failsWith(c, "UPDATE review_queue SET status = 'resolved'"), INSUFFICIENT_PRIVILEGE);
    assert.equal(await failsWith(c, "UPDATE outbox SET payload = '\\x00'"), INSUFFICIENT_PRIVILEGE);
    assert.equal(await failsWith(c, "UPDATE outbox SET topic = 'elsewhere'"), INSUFFICIENT_PRIVILEGE);
  });
});

test("the worker can neither delete, rewrite the audit, read admin tables nor change the schema", async () => {
  await as(db.workerUrl, async (c) => {
    assert.equal(await failsWith(c, "DELETE FROM liability_records"), INSUFFICIENT_PRIVILEGE);
    assert.equal(await failsWith(c, "TRUNCATE outbox"), INSUFFICIENT_PRIVILEGE);
    assert.equal(await failsWith(c, "UPDATE extraction_attempts SET outcome = 'failed'"), INSUFFICIENT_PRIVILEGE);
    assert.equal(await failsWith(c, "DELETE FROM extraction_attempts"), INSUFFICIENT_PRIVILEGE);
    assert.equal(await failsWith(c, "SELECT * FROM tenant_readers"), INSUFFICIENT_PRIVILEGE);
    assert.equal(await failsWith(c, "SELECT * FROM pgmigrations"), INSUFFICIENT_PRIVILEGE);
    assert.equal(await failsWith(c, "DROP TABLE outbox"), INSUFFICIENT_PRIVILEGE);
    assert.equal(await failsWith(c, "ALTER TABLE liability_records ADD COLUMN x int"), INSUFFICIENT_PRIVILEGE);
    assert.equal(await failsWith(c, "CREATE TABLE scratch (a int)"), INSUFFICIENT_PRIVILEGE);
    assert.equal(await failsWith(c, "CREATE TEMP TABLE scratch (a int)"), INSUFFICIENT_PRIVILEGE);
    assert.equal(await failsWith(c, "CREATE ROLE sneaky"), INSUFFICIENT_PRIVILEGE);
  });
});

test("a reader sees only its own tenant's records, only through the exposed columns", async () => {
  await as(db.adminUrl, async (c) => {
    await c.query(insertRecord, recordRow("doc-a1", "tenant-a"));
    await c.query(insertRecord, recordRow("doc-a2", "tenant-a"));
    await c.query(insertRecord, recordRow("doc-b1", "tenant-b"));
  });
  const readerA = await db.createReader("tenant-a");
  const readerB = await db.createReader("tenant-b");

  await as(readerA, async (c) => {
    const rows = await c.query<{ document_id: string }>("SELECT document_id FROM reader_liability_records ORDER BY document_id");
    assert.deepEqual(
      rows.rows.map((r) => r.document_id),
      ["doc-a1", "doc-a2", "doc-w1"],
    );
    // Going around the view does not widen what the reader sees.
    const direct = await c.query("SELECT document_id FROM liability_records WHERE tenant_id = 'tenant-b'");
    assert.equal(direct.rowCount, 0);
    // Nor does switching to the group role: the mapping follows the authenticated login.
    await c.query("SET ROLE lre_reader");
    const asGroup = await c.query("SELECT DISTINCT tenant_id FROM reader_liability_records");
    assert.deepEqual(asGroup.rows, [{ tenant_id: "tenant-a" }]);
    await c.query("RESET ROLE");
  });
  await as(readerB, async (c) => {
    const rows = await c.query<{ document_id: string; current_balance: string }>("SELECT document_id, current_balance FROM reader_liability_records");
    assert.deepEqual(rows.rows, [{ document_id: "doc-b1", current_balance: "250000.10" }]);
  });
});

test("a reader cannot write, read internal columns or other tables, or learn the tenant mapping", async () => {
  const reader = await db.createReader("tenant-a");
  await as(reader, async (c) => {
    assert.equal(await failsWith(c, "SELECT trace_id FROM liability_records"), INSUFFICIENT_PRIVILEGE);
    assert.equal(await failsWith(c, "SELECT * FROM liability_records"), INSUFFICIENT_PRIVILEGE);
    assert.equal(await failsWith(c, "SELECT * FROM review_queue"), INSUFFICIENT_PRIVILEGE);
    assert.equal(await failsWith(c, "SELECT * FROM outbox"), INSUFFICIENT_PRIVILEGE);
    assert.equal(await failsWith(c, "SELECT * FROM extraction_attempts"), INSUFFICIENT_PRIVILEGE);
    assert.equal(await failsWith(c, "SELECT * FROM tenant_readers"), INSUFFICIENT_PRIVILEGE);
    assert.equal(await failsWith(c, insertRecord, recordRow("doc-x", "tenant-a")), INSUFFICIENT_PRIVILEGE);
    assert.equal(await failsWith(c, "UPDATE reader_liability_records SET lender_name = 'x'"), INSUFFICIENT_PRIVILEGE);
    assert.equal(await failsWith(c, "CREATE TEMP TABLE tenant_readers (role_name name, tenant_id text)"), INSUFFICIENT_PRIVILEGE);
  });
});
