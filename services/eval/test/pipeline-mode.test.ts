// Whole-pipeline mode against the real system: Kafka (a private topic), the real worker with
// its validation, PostgreSQL (a private schema). Only the model is a test double: the shared
// FakeInferenceSidecar, which answers each document text with a scripted record.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import type { Worker } from "@liability/worker";
import { generateDocument } from "@liability/corpus";
import { kafkaConfigSchema, loadConfig, postgresConfigSchema } from "@liability/platform";
import { FakeInferenceSidecar } from "@liability/test-support";
import type { LabelledText } from "@liability/test-support";
import { buildReport, parseDataset, PipelineTarget } from "../src/index.ts";
import type { DocResult } from "../src/index.ts";
import { startWorker, workerTestContext } from "../../../test/worker/support/env.ts";
import type { WorkerTestContext } from "../../../test/worker/support/env.ts";

// Twelve generated statements (transcripts would do as well); the first three get a wrong balance.
const generated = Array.from({ length: 40 }, (_, i) => generateDocument(11, "test", i))
  .filter((d) => d.kind === "statement")
  .slice(0, 12);
const WRONG = 3;
const jsonl = generated.map((d) => JSON.stringify(d)).join("\n");
const labels: LabelledText[] = generated.map((d, i) => ({
  text: d.text,
  expected: i < WRONG ? { ...d.expected, current_balance: 123456.78, lender_name: d.expected.lender_name } : d.expected,
}));

let ctx: WorkerTestContext;
let sidecar: FakeInferenceSidecar | undefined;
let sidecarAddress: string;
let worker: Worker | undefined;

before(async () => {
  ctx = await workerTestContext();
  sidecar = new FakeInferenceSidecar({ labels });
  sidecarAddress = await sidecar.listen("127.0.0.1:0");
  worker = await startWorker(ctx.config({ INFERENCE_ADDRESS: sidecarAddress }));
});

after(async () => {
  await worker?.stop();
  await sidecar?.close();
  await ctx?.cleanup();
});

test("pipeline mode publishes to Kafka and scores what the worker committed, with its review routing", async () => {
  assert.equal(generated.length, 12);
  const env = ctx.env({ INFERENCE_ADDRESS: sidecarAddress });
  const docs = parseDataset(jsonl);
  const target = new PipelineTarget({
    name: "system",
    kafka: loadConfig(kafkaConfigSchema, env),
    postgres: loadConfig(postgresConfigSchema, env),
    documentsTopic: ctx.topics.documents,
    schema: ctx.db.schema,
    tenantId: "eval-test",
    timeoutMs: 60_000,
    pollMs: 200,
  });
  const results = new Map<string, DocResult>();
  const run = await target.run(docs, { concurrency: 0, onResult: (r) => results.set(r.id, r) });
  await target.close();

  assert.equal(results.size, 12);
  for (const r of results.values()) assert.equal(r.error, null, `${r.id}: ${r.error}`);
  const report = buildReport({ name: "system", mode: "pipeline", address: target.address, docs, results, run, cost: null, worst: 5 });
  assert.equal(report.failed, 0);
  assert.equal(report.wrongRecords, WRONG, "exactly the documents answered wrongly are wrong after the round trip through PostgreSQL");
  assert.equal(report.fieldAccuracy.current_balance, (12 - WRONG) / 12);
  assert.equal(report.fieldAccuracy.lender_name, 1, "names, dates and amounts survive the database types");
  assert.equal(report.fieldAccuracy.next_due_date, 1);
  assert.ok(report.latencyMs.p50 > 0);
  const v = report.validation!;
  assert.equal(v.judged, 12);
  assert.equal(v.acceptedWrong + v.wrongCaught, WRONG);
  // A balance that appears nowhere in the text is ungrounded: the worker must send it to review.
  assert.equal(v.wrongCaught, WRONG);
  for (const w of report.worst) assert.equal(w.status, "review");
});
