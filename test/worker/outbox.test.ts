// The outbox relay against real Kafka and PostgreSQL: an event Kafka refuses (larger than the
// broker takes) is parked with the error after its attempts while every other event goes out,
// the backlog is exported, and published rows past their retention are pruned by the worker,
// whose role still may not DELETE.
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
  [ctx, sidecar] = await Promise.all([workerTestContext({ partitions: 1 }), FakeInferenceSidecarProcess.start({ labels: exampleLabels })]);
});

after(async () => {
  await worker?.stop();
  await sidecar?.stop();
  await ctx?.cleanup();
  await telemetry.shutdown();
});

test("an event Kafka refuses is parked with its error; the events behind it go out; old published rows are pruned", async () => {
  const db = ctx.db.adminUrl;
  // Ahead of every record's event: an event of 2 MB (the broker takes 1 MB), and a row published four days ago.
  await query(db, "INSERT INTO outbox (aggregate_key, topic, payload) VALUES ('too-large', $1, $2)", [ctx.topics.recorded, Buffer.alloc(2 * 1024 * 1024, 7)]);
  await query(db, "INSERT INTO outbox (aggregate_key, topic, payload, published_at) VALUES ('old', $1, '\\x01', now() - interval '96 hours')", [
    ctx.topics.recorded,
  ]);
  const docs = documents(6);
  await produce(
    ctx.topics.documents,
    docs.map((d) => encodeEvent(d)),
  );
  worker = await startWorker(
    ctx.config({ INFERENCE_ADDRESS: sidecar.address, OUTBOX_MAX_ATTEMPTS: "2", OUTBOX_RETENTION_HOURS: "72", OUTBOX_PRUNE_INTERVAL_MS: "200" }),
  );

  const events = await readTopic(ctx.topics.recorded, docs.length, 60_000);
  assert.deepEqual(events.map((m) => m.key!.toString()).sort(), docs.map((d) => d.id).sort(), "every record's event, despite the row ahead of them");
  await waitFor("the refused row parked", async () => (await count(db, "outbox", "aggregate_key = 'too-large' AND parked_at IS NOT NULL")) === 1, 30_000);
  const [parked] = await query<{ attempts: number; last_error: string; published_at: Date | null }>(
    db,
    "SELECT attempts, last_error, published_at FROM outbox WHERE aggregate_key = 'too-large'",
  );
  assert.equal(parked!.attempts, 2);
  assert.equal(parked!.published_at, null);
  assert.ok(parked!.last_error.length > 0, "the parked row says why");

  await waitFor("old published row pruned", async () => (await count(db, "outbox", "aggregate_key = 'old'")) === 0);
  assert.equal(await count(db, "outbox", "published_at IS NOT NULL"), docs.length, "recent published rows are kept");
  await waitFor("backlog gauges", async () => {
    const metrics = await telemetry.metrics();
    return counterValue(metrics, "lre.worker.outbox.parked_rows") === 1 && counterValue(metrics, "lre.worker.outbox.backlog") === 0;
  });
});
