// Batched inference calls: with INFERENCE_BATCH_DOCUMENTS above 1, the documents a batch starts
// together travel in ExtractBatch round trips, each still retried on its own and traced as its own.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import * as grpc from "@grpc/grpc-js";
import type { Worker } from "@liability/worker";
import { FakeInferenceSidecarProcess } from "@liability/test-support";
import {
  count,
  documents,
  encodeEvent,
  exampleLabels,
  newTraceparent,
  produce,
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
const docs = documents(20);

before(async () => {
  ctx = await workerTestContext({ partitions: 1 });
  // One document fails once with a transient error: only it is sent again.
  sidecar = await FakeInferenceSidecarProcess.start({
    labels: exampleLabels,
    latency: "fixed:20",
    answers: { [docs[3]!.id]: { code: grpc.status.UNAVAILABLE, failTimes: 1 } },
  });
});

after(async () => {
  await worker?.stop();
  await sidecar?.stop();
  await ctx?.cleanup();
  await telemetry.shutdown();
});

test("documents travel in ExtractBatch round trips, each retried and traced on its own, each recorded once", async () => {
  const traces = new Map(docs.map((d) => [d.id, newTraceparent()]));
  await produce(
    ctx.topics.documents,
    docs.map((d) => encodeEvent(d, { traceparent: traces.get(d.id)!.traceparent })),
  );
  worker = await startWorker(ctx.config({ INFERENCE_ADDRESS: sidecar.address, INFERENCE_BATCH_DOCUMENTS: "8", INFERENCE_CONCURRENCY: "16" }));
  await waitFor("20 records", async () => (await count(ctx.db.adminUrl, "liability_records")) === 20);
  assert.equal(await count(ctx.db.adminUrl, "liability_records", "status = 'accepted'"), 20);

  const requests = sidecar.requests();
  assert.ok(
    requests.every((r) => r.via === "ExtractBatch"),
    "no single Extract calls",
  );
  assert.equal(requests.length, 21, "each document once, the failed one twice");
  assert.equal(requests.filter((r) => r.documentId === docs[3]!.id).length, 2);
  for (const r of requests) assert.equal(r.traceparent?.split("-")[1], traces.get(r.documentId)!.traceId, "each document keeps its own trace");
  assert.equal(await count(ctx.db.adminUrl, "extraction_attempts", "outcome = 'retry'"), 1);
});
