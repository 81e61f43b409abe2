// PostgreSQL's own log never holds statement parameters: the worker's rows (lender, last four,
// balances) travel as a parameter, and the server logs slow and failing statements. A private
// cluster started by the same script as the local stack, so its log is this test's alone.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import pg from "pg";
import { PrivatePostgres } from "../worker/support/private-postgres.ts";

let postgres: PrivatePostgres;
before(async () => {
  postgres = await PrivatePostgres.create();
});
after(async () => {
  await postgres?.destroy();
});

test("a slow statement and a constraint violation are logged without their parameters or the failing row", async () => {
  const marker = "Failing-Lender-4417-250000.10";
  const client = new pg.Client({ connectionString: postgres.adminUrl });
  await client.connect();
  try {
    // Longer than log_min_duration_statement (1 s): logged as slow, with its text.
    await client.query("SELECT pg_sleep(1.2), $1::text AS secret", [marker]);
    // A CHECK violation, whose DETAIL would repeat the row.
    await client.query("CREATE TEMP TABLE probe (v text CHECK (length(v) < 5))");
    await client.query("INSERT INTO probe VALUES ($1)", [marker]).catch(() => {});
  } finally {
    await client.end();
  }
  const log = postgres.serverLog();
  assert.match(log, /duration: \d+\.\d+ ms/, "the slow statement was logged");
  assert.match(log, /violates check constraint "probe_v_check"/, "the failing one too, with its constraint");
  assert.doesNotMatch(log, new RegExp(marker), "neither with its parameter");
});
