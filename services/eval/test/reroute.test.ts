import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { CARD_RECORD, CARD_STATEMENT } from "./support/card-statement.ts";

const expected = CARD_RECORD;
const text = CARD_STATEMENT;

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
