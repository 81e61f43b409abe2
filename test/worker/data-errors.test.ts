// Values PostgreSQL would refuse must never stall a partition: each document still ends as a
// record, a review item or a dead letter, and the offsets behind it are committed. Real Kafka,
// real PostgreSQL, the fake sidecar answering what a model might.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { fromBinary } from "@bufbuild/protobuf";
import { DeadLetterReason, DeadLetterSchema } from "@liability/contracts";
import { canonicalRecordJson } from "@liability/domain";
import type { Worker } from "@liability/worker";
import { keyOf, WorkerStore, workerPoolConfig } from "@liability/worker";
import { FakeInferenceSidecarProcess } from "@liability/test-support";
import {
  committedOffsets,
  count,
  documents,
  encodeEvent,
  examples,
  exampleLabels,
  produce,
  query,
  readTopic,
  startWorker,
  waitFor,
  workerTestContext,
} from "./support/env.ts";
import type { WorkerTestContext } from "./support/env.ts";

let ctx: WorkerTestContext;
let sidecar: FakeInferenceSidecarProcess;
let worker: Worker | undefined;

const mortgage = examples.find((e) => e.expected?.liability_type === "mortgage")!;
const [good1, rateRoundsUp, yearZero, good2] = documents(4).map((d) => ({ ...d, kind: mortgage.kind, text: mortgage.text }));
const hugeTenant = { ...documents(1, "doc-tenant")[0]!, tenantId: `tenant-${"x".repeat(3000)}` };
const answer = (changes: Record<string, unknown>) => ({ output: canonicalRecordJson({ ...mortgage.expected!, ...changes } as never) });

before(async () => {
  ctx = await workerTestContext({ partitions: 1 });
  sidecar = await FakeInferenceSidecarProcess.start({
    labels: exampleLabels,
    answers: {
      // numeric(7, 3) rounds 99.9995 to 100.000, which the column's CHECK refuses.
      [rateRoundsUp!.id]: answer({ interest_rate: 99.9995 }),
      // PostgreSQL has no year 0.
      [yearZero!.id]: answer({ as_of_date: "0000-01-01" }),
    },
  });
});

after(async () => {
  await worker?.stop();
  await sidecar?.stop();
  await ctx?.cleanup();
});

test("values PostgreSQL cannot store go to review, a tenant id too long for its index is dead-lettered, and the partition moves on", async () => {
  const sent = [good1!, rateRoundsUp!, hugeTenant, yearZero!, good2!];
  await produce(
    ctx.topics.documents,
    sent.map((d) => encodeEvent(d)),
  );
  worker = await startWorker(ctx.config({ INFERENCE_ADDRESS: sidecar.address }));

  await waitFor("every document settled", async () => (await count(ctx.db.adminUrl, "liability_records")) === 4, 30_000);
  const rows = await query<{ document_id: string; status: string; interest_rate: string | null; as_of_date: string | null }>(
    ctx.db.adminUrl,
    "SELECT document_id, status, interest_rate, as_of_date FROM liability_records",
  );
  const byId = new Map(rows.map((r) => [r.document_id, r]));
  assert.equal(byId.get(good1!.id)?.status, "accepted");
  assert.equal(byId.get(good2!.id)?.status, "accepted", "the document after the bad ones is recorded too");
  assert.equal(byId.get(rateRoundsUp!.id)?.status, "review");
  assert.equal(byId.get(rateRoundsUp!.id)?.interest_rate, null, "the typed column holds no value it would round out of range");
  assert.equal(byId.get(yearZero!.id)?.status, "review");
  assert.equal(byId.get(yearZero!.id)?.as_of_date, null);
  // The reviewer still sees what the model said.
  const review = await query<{ record: { interest_rate: number } }>(ctx.db.adminUrl, "SELECT record FROM review_queue WHERE document_id = $1", [
    rateRoundsUp!.id,
  ]);
  assert.equal(review[0]?.record.interest_rate, 99.9995);

  const [letter] = await readTopic(ctx.topics.dlq, 1);
  const deadLetter = fromBinary(DeadLetterSchema, letter!.value!);
  assert.equal(DeadLetterReason[deadLetter.reason], "MISSING_FIELD");
  assert.equal(deadLetter.errorDetail, "tenant_id is not a usable identifier");

  await waitFor("every offset committed", async () => (await committedOffsets(ctx.group, ctx.topics.documents)) === sent.length);
});

test("a row PostgreSQL refuses as data is found on its own, with its SQLSTATE and constraint, and nothing is written", async () => {
  const store = new WorkerStore(workerPoolConfig({ connectionString: ctx.db.workerUrl, max: 2 }, ctx.db.schema));
  try {
    const row = (documentId: string, kafkaPartition: number) => ({
      documentId,
      tenantId: "tenant-a",
      contentSha256: "a".repeat(64),
      status: "review" as const,
      record: null,
      modelId: "m",
      modelVersion: "v",
      promptVersion: "p",
      confidence: null,
      fieldConfidence: null,
      citations: {},
      traceId: null,
      kafkaTopic: ctx.topics.documents,
      kafkaPartition,
      kafkaOffset: "1",
      shadow: false,
      reviewDocument: { kind: "statement" as const, text: "Statement", receivedAtMs: Date.now() },
      reviewReasons: [],
      rawModelOutput: null,
      outbox: { topic: ctx.topics.recorded, payload: new Uint8Array([1]), headers: {} },
    });
    const rows = [row("probe-ok", 0), row("probe-bad", -1)];
    await assert.rejects(store.writeBatch(rows, []), (error: Error) => error.name === "RowsRejectedError" && /SQLSTATE 23514/.test(error.message));
    const rejected = await store.rejectedRecords(rows, []);
    const bad = keyOf({ tenantId: "tenant-a", documentId: "probe-bad" });
    assert.deepEqual([...rejected.keys()], [bad]);
    assert.match(rejected.get(bad)!, /^SQLSTATE 23514 \(liability_records_kafka_partition_check\)$/);
    assert.equal(await count(ctx.db.adminUrl, "liability_records", "document_id LIKE 'probe-%'"), 0, "the probe writes nothing");
    assert.deepEqual(await store.writeBatch([rows[0]!], []), new Set([keyOf({ tenantId: "tenant-a", documentId: "probe-ok" })]));
  } finally {
    await store.end();
  }
});
