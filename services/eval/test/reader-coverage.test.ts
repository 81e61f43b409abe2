import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import type { LiabilityRecord } from "@liability/domain";

const expected: LiabilityRecord = {
  liability_type: "credit_card",
  lender_name: "Blue Mesa Credit Union",
  account_last4: "0931",
  current_balance: 1538.9,
  payoff_amount: null,
  payoff_good_through: null,
  escrow_balance: null,
  interest_rate: 22.49,
  monthly_payment: 46,
  next_due_date: "2026-04-12",
  as_of_date: "2026-03-18",
};
const labelled =
  "BLUE MESA CREDIT UNION VISA\nAccount ending in 0931  Closing Date 03/18/26\nNew Balance $1,538.90\nMinimum Payment Due $46.00\nPayment Due Date 04/12/26\nPurchase APR 22.49%\n";

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
