import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { CARD_RECORD, CARD_STATEMENT } from "./support/card-statement.ts";

const expected = CARD_RECORD;
const labelled = CARD_STATEMENT;

test("reader-coverage counts, per field, what the document's labels confirm, contradict or leave unread", () => {
  const dir = mkdtempSync(join(tmpdir(), "reader-coverage-"));
  try {
    const docs = [
      { id: "all-labelled", kind: "statement", text: labelled, expected, meta: { received_at: "2026-03-20" } },
      // The rate is stated without a label the reader knows, and the label says another payment than the record.
      {
        id: "partly",
        kind: "statement",
        text: labelled.replace("Purchase APR 22.49%", "Purchases accrue at 22.49% a year"),
        expected: { ...expected, monthly_payment: 64 },
        meta: { received_at: "2026-03-20" },
      },
    ];
    writeFileSync(join(dir, "data.jsonl"), docs.map((d) => JSON.stringify(d)).join("\n"));
    const cli = new URL("../src/reader-coverage.ts", import.meta.url).pathname;
    const out = execFileSync(process.execPath, [cli, "--data", join(dir, "data.jsonl"), "--json", join(dir, "r.json")], { encoding: "utf8" });
    assert.match(out, /2 documents, every stated field confirmed by the labels in 1/);
    const report = JSON.parse(readFileSync(join(dir, "r.json"), "utf8"));
    assert.deepEqual(report.fields.interest_rate, { right: 1, wrong: 0, conflict: 0, unread: 1, spurious: 0 });
    assert.deepEqual(report.fields.monthly_payment, { right: 1, wrong: 1, conflict: 0, unread: 0, spurious: 0 });
    assert.deepEqual(report.fields.account_last4, { right: 2, wrong: 0, conflict: 0, unread: 0, spurious: 0 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
