import { test } from "node:test";
import assert from "node:assert/strict";
import * as grpc from "@grpc/grpc-js";
import { canonicalRecordJson } from "@liability/domain";
import type { LiabilityRecord } from "@liability/domain";
import { buildReport, parseDataset, SidecarTarget } from "../src/index.ts";
import type { DocResult } from "../src/index.ts";
import { FakeInferenceSidecar } from "@liability/test-support";
import type { ScriptedAnswer } from "@liability/test-support";

const base: LiabilityRecord = {
  liability_type: "auto_loan",
  lender_name: "Quarry Hill Auto Credit",
  account_last4: "8860",
  current_balance: 11204.18,
  payoff_amount: 11391.62,
  payoff_good_through: "2026-06-09",
  escrow_balance: null,
  interest_rate: null,
  monthly_payment: 412.5,
  next_due_date: null,
  as_of_date: null,
};
const text =
  "Quarry Hill Auto Credit. Auto loan account number 4402 9913 8860. Principal balance $11,204.18. Payoff is $11,391.62, good through June 9th, 2026. Monthly payment $412.50.";

// Ten documents: six answered right, two with a wrong balance, one unparseable answer, one failed call.
const ids = Array.from({ length: 10 }, (_, i) => `doc-${i}`);
const jsonl = ids
  .map((id, i) => JSON.stringify({ id, kind: "call_transcript", text, expected: base, meta: { family: i < 5 ? "fam-a" : "fam-b", received_at: "2026-05-30" } }))
  .join("\n");
const answers: Record<string, ScriptedAnswer> = {};
ids.forEach((id, i) => {
  const usage = { promptTokens: 200 + i, completionTokens: 80 };
  if (i === 6 || i === 7) answers[id] = { output: canonicalRecordJson({ ...base, current_balance: 11240.18 }), ...usage };
  else if (i === 8) answers[id] = { output: '{"liability_type": "auto_lo', ...usage };
  else if (i === 9) answers[id] = { code: grpc.status.INVALID_ARGUMENT };
  else answers[id] = { output: canonicalRecordJson(base), ...usage };
});

/** A FakeInferenceSidecar on a free port, and the ids of the documents it was sent, in arrival order. */
async function startFake(script: Record<string, ScriptedAnswer>): Promise<{ fake: FakeInferenceSidecar; address: string; calls: string[] }> {
  const calls: string[] = [];
  const fake = new FakeInferenceSidecar({ answers: script, onRequest: (request) => calls.push(request.documentId) });
  return { fake, address: await fake.listen("127.0.0.1:0"), calls };
}

test("sidecar mode scores, times and validates every answer of a real gRPC server", async () => {
  const { fake, address, calls } = await startFake(answers);
  try {
    const docs = parseDataset(jsonl);
    const target = new SidecarTarget({ name: "fake", address, deadlineMs: 5_000, validation: null, readyTimeoutMs: 5_000 });
    const results = new Map<string, DocResult>();
    const run = await target.run(docs, { concurrency: 3, onResult: (r) => results.set(r.id, r) });
    await target.close();

    assert.equal(results.size, 10);
    assert.deepEqual([...calls].sort(), [...ids].sort(), "every document is sent once (INVALID_ARGUMENT is not retried)");
    const report = buildReport({
      name: "fake",
      mode: "sidecar",
      address,
      docs,
      results,
      run,
      cost: { pricePerHour: 2, unit: "gpu-hour" },
      worst: 3,
    });

    assert.equal(report.documents, 10);
    assert.equal(report.wrongRecords, 4);
    assert.equal(report.recordErrorRate, 0.4);
    assert.equal(report.failed, 1);
    // wrong balance in 2 docs, no output in 2 docs
    assert.equal(report.fieldAccuracy.current_balance, 0.6);
    assert.equal(report.fieldAccuracy.lender_name, 0.8);
    assert.equal(report.model?.id, FakeInferenceSidecar.MODEL_ID);
    assert.ok(report.tokens.promptPerDoc !== null && report.tokens.promptPerDoc > 200);
    assert.ok(report.latencyMs.p50 > 0 && report.latencyMs.p99 >= report.latencyMs.p50);
    assert.ok(report.cost && report.cost.perMillionDocs > 0);
    assert.equal(report.byFamily["fam-b"]?.wrong, 4);
    assert.equal(report.byFamily["fam-a"]?.wrong, 0);
    // worst first: the documents with no usable output have all 11 fields wrong
    assert.equal(report.worst.length, 3);
    assert.equal(report.worst[0]?.wrong.length, 11);
    assert.equal(report.worst.at(-1)?.wrong[0]?.field, "current_balance");
    assert.equal(report.validation, null);
  } finally {
    await fake.close();
  }
});

test("with validation applied, the report counts review routing and wrong records caught", async () => {
  const { fake, address } = await startFake(answers);
  try {
    const docs = parseDataset(jsonl);
    const { DEFAULT_VALIDATION_POLICY } = await import("@liability/domain");
    const target = new SidecarTarget({ name: "fake", address, deadlineMs: 5_000, validation: DEFAULT_VALIDATION_POLICY, readyTimeoutMs: 5_000 });
    const results = new Map<string, DocResult>();
    const run = await target.run(docs, { concurrency: 2, onResult: (r) => results.set(r.id, r) });
    await target.close();
    const report = buildReport({ name: "fake", mode: "sidecar", address, docs, results, run, cost: null, worst: 0 });
    const v = report.validation;
    assert.ok(v, "validation stats present");
    // the failed call gets no status; the other nine are judged
    assert.equal(v.judged, 9);
    assert.equal(v.accepted + v.review, 9);
    // the unparseable answer can never be accepted
    assert.equal(results.get("doc-8")?.status, "review");
    assert.ok(v.wrongCaught >= 1);
    assert.equal(v.wrong, 3);
    assert.equal(v.acceptedWrong + v.wrongCaught, v.wrong);
  } finally {
    await fake.close();
  }
});

test("an interrupted run sends nothing new, lets the call in flight finish, and reports the rest as not run", async () => {
  const slow = Object.fromEntries(ids.map((id, i) => [id, { output: canonicalRecordJson(base), delayMs: i === 1 ? 300 : 0 }]));
  const { fake, address, calls } = await startFake(slow);
  try {
    const docs = parseDataset(jsonl);
    const target = new SidecarTarget({ name: "fake", address, deadlineMs: 5_000, validation: null, readyTimeoutMs: 5_000 });
    const abort = new AbortController();
    const results = new Map<string, DocResult>();
    // Two in flight: doc-0 answers at once and the run is stopped then, while doc-1 is still being answered.
    const run = await target.run(docs, {
      concurrency: 2,
      signal: abort.signal,
      onResult: (r) => {
        results.set(r.id, r);
        abort.abort();
      },
    });
    await target.close();

    assert.deepEqual([...calls].sort(), ["doc-0", "doc-1"]);
    assert.equal(results.get("doc-1")?.error, null, "the call in flight is answered, not cancelled");
    const report = buildReport({ name: "fake", mode: "sidecar", address, docs, results, run, cost: null, worst: 0 });
    assert.equal(report.documentsDetail.filter((d) => d.error === "no result").length, 8);
    assert.equal(report.documentsDetail.filter((d) => d.correct).length, 2);
  } finally {
    await fake.close();
  }
});

test("--predictions writes one line per document in dataset order, record null where there is none", async () => {
  const { execFile } = await import("node:child_process");
  const { mkdtempSync, readFileSync, writeFileSync, rmSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const { fake, address } = await startFake(answers);
  const dir = mkdtempSync(join(tmpdir(), "eval-predictions-"));
  try {
    writeFileSync(join(dir, "data.jsonl"), jsonl);
    const cli = new URL("../src/cli.ts", import.meta.url).pathname;
    const args = [
      cli,
      "--data",
      join(dir, "data.jsonl"),
      "--target",
      `fake=${address}`,
      "--no-progress",
      "--json",
      join(dir, "report.json"),
      "--predictions",
      join(dir, "predictions.jsonl"),
    ];
    await new Promise<void>((resolve, reject) => execFile(process.execPath, args, (error, _stdout, stderr) => (error ? reject(new Error(stderr)) : resolve())));
    const lines = readFileSync(join(dir, "predictions.jsonl"), "utf8")
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      lines.map((l) => l.id),
      ids,
    );
    assert.deepEqual(lines[0].record, base);
    assert.equal(lines[6].record.current_balance, 11240.18);
    assert.equal(lines[8].record, null, "an unparseable answer has no record");
    assert.equal(lines[9].record, null, "a failed call has no record");
    assert.match(lines[9].error, /INVALID_ARGUMENT|3/);
    assert.equal(lines[0].status, "accepted");
  } finally {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
