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

test("the worker stores a full record and its outbox event in one transaction, exactly", async () => {
  const client = new pg.Client({ connectionString: db.workerUrl });
  await client.connect();
  try {
    await client.query("BEGIN");
    await client.query(
      `INSERT INTO liability_records
         (document_id, tenant_id, status, liability_type, lender_name, account_last4, current_balance,
          payoff_amount, payoff_good_through, escrow_balance, interest_rate, monthly_payment,
          next_due_date, as_of_date, model_id, model_version, prompt_version, confidence, citations,
          trace_id, kafka_topic, kafka_partition, kafka_offset)
       VALUES ($1, $2, 'accepted', 'mortgage', 'Acme Home Loans', '4821', 312456.78, 313001.02,
               '2026-12-15', 2210.5, 6.875, 2450.13, '2027-01-01', '2026-11-30', 'lre-small', '2026.11.1',
               'p3', 0.9731, $3, $4, 'documents.received.v1', 2, 9007199254740993)`,
      ["doc-full", "tenant-a", JSON.stringify({ current_balance: [{ start: 10, end: 20 }] }), "0af7651916cd43dd8448eb211c80319c"],
    );
    await client.query("INSERT INTO outbox (aggregate_key, topic, payload, headers) VALUES ($1, $2, $3, $4)", [
      "doc-full",
      "liability.recorded.v1",
      Buffer.from("event-bytes"),
      { traceparent: "00-abc-def-01" },
    ]);
    await client.query("COMMIT");

    const r = await client.query(
      `SELECT current_balance, payoff_amount, escrow_balance, interest_rate, monthly_payment,
              to_char(payoff_good_through, 'YYYY-MM-DD') AS payoff_good_through,
              to_char(as_of_date, 'YYYY-MM-DD') AS as_of_date, account_last4, kafka_offset,
              citations, created_at <= updated_at AS ordered
         FROM liability_records WHERE document_id = 'doc-full'`,
    );
    // NUMERIC comes back as strings, so no cent is lost to floating point.
    assert.deepEqual(r.rows[0], {
      current_balance: "312456.78",
      payoff_amount: "313001.02",
      escrow_balance: "2210.50",
      interest_rate: "6.875",
      monthly_payment: "2450.13",
      payoff_good_through: "2026-12-15",
      as_of_date: "2026-11-30",
      account_last4: "4821",
      kafka_offset: "9007199254740993",
      citations: { current_balance: [{ start: 10, end: 20 }] },
      ordered: true,
    });
    const o = await client.query("SELECT payload, headers, published_at FROM outbox WHERE aggregate_key = 'doc-full'");
    assert.equal(o.rows[0].payload.toString(), "event-bytes");
    assert.equal(o.rows[0].published_at, null);
  } finally {
    await client.end();
  }
});

test("a failed transaction leaves neither the record nor its event behind", async () => {
  const client = new pg.Client({ connectionString: db.workerUrl });
  await client.connect();
  try {
    await client.query("BEGIN");
    await client.query("INSERT INTO outbox (aggregate_key, topic, payload) VALUES ('doc-bad', 'liability.recorded.v1', '\\x00')");
    await assert.rejects(
      client.query(
        `INSERT INTO liability_records (document_id, tenant_id, status, account_last4, model_id, model_version, prompt_version)
         VALUES ('doc-bad', 't', 'accepted', '12', 'm', 'v', 'p')`,
      ),
      /violates check constraint/,
    );
    await client.query("ROLLBACK");
    assert.equal((await client.query("SELECT 1 FROM outbox WHERE aggregate_key = 'doc-bad'")).rowCount, 0);
  } finally {
    await client.end();
  }
});

test("constraints reject values the record spec does not allow", async () => {
  const client = new pg.Client({ connectionString: db.workerUrl });
  await client.connect();
  const base = ["doc-c", "t", "m", "v", "p"];
  try {
    await assert.rejects(
      client.query(
        `INSERT INTO liability_records (document_id, tenant_id, status, liability_type, lender_name, model_id, model_version, prompt_version)
         VALUES ($1, $2, 'accepted', 'boat_loan', 'X', $3, $4, $5)`,
        base,
      ),
      /liability_type_check/,
    );
    await assert.rejects(
      client.query(
        `INSERT INTO liability_records (document_id, tenant_id, status, model_id, model_version, prompt_version)
         VALUES ($1, $2, 'accepted', $3, $4, $5)`,
        base,
      ),
      /accepted_record_complete/,
    );
    await assert.rejects(
      client.query(
        `INSERT INTO liability_records (document_id, tenant_id, status, liability_type, lender_name, current_balance, model_id, model_version, prompt_version)
         VALUES ($1, $2, 'accepted', 'heloc', 'X', 1e13, $3, $4, $5)`,
        base,
      ),
      /numeric field overflow/,
    );
    // A record in review may be incomplete.
    await client.query(
      `INSERT INTO liability_records (document_id, tenant_id, status, model_id, model_version, prompt_version)
       VALUES ($1, $2, 'review', $3, $4, $5)`,
      base,
    );
  } finally {
    await client.end();
  }
});
