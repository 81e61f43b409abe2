// Happy path: N documents in, N accepted records out, one LiabilityRecorded each, and the
// upstream producer's trace id on every hop (sidecar call, spans, record row, event headers).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { fromBinary } from "@bufbuild/protobuf";
import { LiabilityRecordedSchema, RecordStatus } from "@liability/contracts";
import type { Worker } from "@liability/worker";
import { FakeInferenceSidecarProcess } from "@liability/test-support";
import {
  count,
  counterValue,
  documents,
  encodeEvent,
  exampleLabels,
  newTraceparent,
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
  sidecar = await FakeInferenceSidecarProcess.start({ labels: exampleLabels });
});

after(async () => {
  await worker?.stop();
  await sidecar?.stop();
  await ctx?.cleanup();
  await telemetry.shutdown();
});

test("every document becomes one accepted record and one event, with the trace connected end to end", async () => {
  const docs = documents(12);
  const traces = new Map(docs.map((d) => [d.id, newTraceparent()]));
  await produce(
    ctx.topics.documents,
    // Half protobuf, half the protobuf JSON mapping: the content-type header decides.
    docs.map((d, i) => encodeEvent(d, { format: i % 2 === 0 ? "binary" : "json", traceparent: traces.get(d.id)!.traceparent })),
  );
  worker = await startWorker(ctx.config({ INFERENCE_ADDRESS: sidecar.address }));

  await waitFor("12 records", async () => (await count(ctx.db.adminUrl, "liability_records")) === 12);
  await waitFor(
    "outbox published",
    async () => (await count(ctx.db.adminUrl, "outbox", "published_at IS NULL")) === 0 && (await count(ctx.db.adminUrl, "outbox")) === 12,
  );

  const rows = await query<{ document_id: string; status: string; trace_id: string; citations: Record<string, unknown[]>; current_balance: string }>(
    ctx.db.adminUrl,
    "SELECT document_id, status, trace_id, citations, current_balance FROM liability_records",
  );
  assert.equal(rows.length, 12);
  for (const row of rows) {
    assert.equal(row.status, "accepted", row.document_id);
    assert.equal(row.trace_id, traces.get(row.document_id)!.traceId, "record carries the producer's trace id");
    assert.ok(row.citations.current_balance?.length, "citations stored with the record");
  }
  assert.equal(await count(ctx.db.adminUrl, "review_queue"), 0);
  assert.equal(await count(ctx.db.adminUrl, "extraction_attempts", "outcome = 'accepted'"), 12);

  const events = await readTopic(ctx.topics.recorded, 12);
  assert.equal(events.length, 12);
  for (const message of events) {
    const event = fromBinary(LiabilityRecordedSchema, message.value!);
    assert.equal(event.status, RecordStatus.ACCEPTED);
    assert.equal(message.key!.toString(), event.documentId);
    assert.ok(event.record?.lenderName);
    const traceparent = message.headers!.traceparent!.toString();
    assert.equal(traceparent.split("-")[1], traces.get(event.documentId)!.traceId, "event headers continue the trace");
  }

  // The sidecar saw the same trace in its gRPC metadata.
  for (const request of sidecar.requests()) {
    assert.equal(request.traceparent?.split("-")[1], traces.get(request.documentId)!.traceId);
  }

  // And the worker's own spans form one trace per document: consume, infer, validate, write, publish.
  const doc = docs[0]!;
  const traceId = traces.get(doc.id)!.traceId;
  const names = new Set(
    telemetry
      .spans()
      .filter((s) => s.spanContext().traceId === traceId)
      .map((s) => s.name),
  );
  for (const expected of [
    `${ctx.topics.documents} process`,
    "InferenceService/Extract",
    "validate extraction",
    "liability_records upsert",
    `${ctx.topics.recorded} publish`,
  ]) {
    assert.ok(names.has(expected), `span ${expected} in the document's trace (have: ${[...names].join(", ")})`);
  }

  const metrics = await telemetry.metrics();
  assert.equal(counterValue(metrics, "lre.worker.documents.processed", { outcome: "accepted" }), 12);
  assert.equal(counterValue(metrics, "lre.worker.outbox.published"), 12);
});
