// The sidecar killed mid-stream and restarted: the worker retries, opens its circuit, pauses
// consumption and resumes by itself. No message is skipped, dead-lettered or lost.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Worker } from "@liability/worker";
import { FakeInferenceSidecarProcess } from "@liability/test-support";
import {
  count,
  counterValue,
  documents,
  encodeEvent,
  exampleLabels,
  produce,
  query,
  readTopic,
  startWorker,
  testTelemetry,
  waitFor,
  workerTestContext,
} from "./support/env.ts";
import type { WorkerTestContext } from "./support/env.ts";

const telemetry = testTelemetry();
let ctx: WorkerTestContext;
let sidecar: FakeInferenceSidecarProcess;
let worker: Worker | undefined;

before(async () => {
  ctx = await workerTestContext();
  // Slow enough that the kill lands mid-stream.
  sidecar = await FakeInferenceSidecarProcess.start({ labels: exampleLabels, latency: "fixed:120" });
});

after(async () => {
  await worker?.stop();
  await sidecar?.stop();
  await ctx?.cleanup();
  await telemetry.shutdown();
});

test("sidecar killed mid-stream and restarted: processing pauses, resumes, and every document is recorded once", async () => {
  const docs = documents(60);
  await produce(
    ctx.topics.documents,
    docs.map((d) => encodeEvent(d)),
  );
  worker = await startWorker(ctx.config({ INFERENCE_ADDRESS: sidecar.address, INFERENCE_CONCURRENCY: "2" }));

  await waitFor("first records", async () => (await count(ctx.db.adminUrl, "liability_records")) >= 8);
  await sidecar.kill("SIGKILL");
  const atKill = await count(ctx.db.adminUrl, "liability_records");
  assert.ok(atKill < docs.length, "killed mid-stream");

  // While it is down: consumption pauses; nothing is skipped to the DLQ or the review queue.
  await waitFor("consumer paused", async () => counterValue(await telemetry.metrics(), "lre.worker.consumer.pauses", { dependency: "inference" }) >= 1);
  await new Promise((r) => setTimeout(r, 1500));
  const duringOutage = await count(ctx.db.adminUrl, "liability_records");
  assert.equal(await count(ctx.db.adminUrl, "review_queue"), 0);

  await sidecar.restart();
  await waitFor("all records", async () => (await count(ctx.db.adminUrl, "liability_records")) === docs.length, 60_000);
  assert.ok(duringOutage < docs.length);

  const rows = await query<{ status: string; n: string }>(ctx.db.adminUrl, "SELECT status, count(*) AS n FROM liability_records GROUP BY status");
  assert.deepEqual(
    rows.map((r) => [r.status, Number(r.n)]),
    [["accepted", docs.length]],
  );
  assert.equal(await count(ctx.db.adminUrl, "review_queue"), 0);
  assert.equal((await readTopic(ctx.topics.dlq, 1, 2_000)).length, 0, "nothing dead-lettered");
  const metrics = await telemetry.metrics();
  assert.ok(counterValue(metrics, "lre.worker.inference.retries") > 0, "transient failures were retried");
  // The attempt audit shows the failed tries too.
  assert.ok((await count(ctx.db.adminUrl, "extraction_attempts", "outcome = 'retry'")) > 0);
});
