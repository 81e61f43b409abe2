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
const text =
  "BLUE MESA CREDIT UNION VISA\nAccount ending in 0931  Closing Date 03/18/26\nNew Balance $1,538.90\nMinimum Payment Due $46.00\nPayment Due Date 04/12/26\nPurchase APR 22.49%\n";

test("reroute scores and validates an earlier run's records again, without the model", () => {
  const dir = mkdtempSync(join(tmpdir(), "reroute-"));
  try {
    const docs = ["right", "invented", "low-confidence", "failed"].map((id) => ({
      id,
      kind: "statement",
      text,
      expected,
      meta: { received_at: "2026-03-20" },
    }));
    writeFileSync(join(dir, "data.jsonl"), docs.map((d) => JSON.stringify(d)).join("\n"));
    const predictions = [
      { id: "right", record: expected, confidence: 0.99 },
      { id: "invented", record: { ...expected, current_balance: 1583.9 }, confidence: 0.99 },
      { id: "low-confidence", record: expected, confidence: 0.1 },
      { id: "failed", record: null, confidence: null, error: "UNAVAILABLE" },
    ];
    writeFileSync(join(dir, "p.jsonl"), predictions.map((p) => JSON.stringify(p)).join("\n"));
    const cli = new URL("../src/reroute.ts", import.meta.url).pathname;
    execFileSync(process.execPath, [cli, "--data", join(dir, "data.jsonl"), "--predictions", join(dir, "p.jsonl"), "--out", join(dir, "r.json")], {
      stdio: "pipe",
    });
    const detail = JSON.parse(readFileSync(join(dir, "r.json"), "utf8")).targets[0].documentsDetail;
    const byId = new Map(detail.map((d: { id: string }) => [d.id, d]));
    assert.deepEqual(byId.get("right"), {
      id: "right",
      kind: "statement",
      family: null,
      correct: true,
      wrongFields: [],
      status: "accepted",
      reasons: [],
      error: null,
    });
    const invented = byId.get("invented") as { correct: boolean; status: string; reasons: string[] };
    assert.equal(invented.correct, false);
    assert.equal(invented.status, "review");
    assert.ok(invented.reasons.includes("grounding.ungrounded_value:current_balance"));
    assert.ok((byId.get("low-confidence") as { reasons: string[] }).reasons.includes("confidence.below_threshold"));
    assert.equal((byId.get("failed") as { error: string }).error, "UNAVAILABLE");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
