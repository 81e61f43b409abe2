// Workers joining and leaving the group every few seconds while documents keep arriving (an
// autoscaler gone wild, a crash-looping pod): every document ends as exactly one record, no event
// is published twice, nothing is dead-lettered, and every committed offset is backed by a record.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Worker } from "@liability/worker";
import { FakeInferenceSidecarProcess } from "@liability/test-support";
import {
  assertCommittedOffsetsBacked,
  assertOneEventPerKey,
  count,
  documents,
  encodeEvent,
  exampleLabels,
  produce,
  query,
  readTopic,
  startWorker,
  waitFor,
  workerTestContext,
} from "./support/env.ts";
import type { WorkerTestContext } from "./support/env.ts";

/** How long the storm lasts, and how often a worker joins or leaves. */
const STORM_MS = 30_000;
const CHURN_EVERY_MS = 3_000;
const BATCHES = 10;
const PER_BATCH = 30;

let ctx: WorkerTestContext;
let sidecar: FakeInferenceSidecarProcess;
const running: Worker[] = [];

before(async () => {
  [ctx, sidecar] = await Promise.all([workerTestContext({ partitions: 6 }), FakeInferenceSidecarProcess.start({ labels: exampleLabels, latency: "fixed:30" })]);
});

after(async () => {
  await Promise.allSettled(running.map((w) => w.stop()));
  await sidecar?.stop();
  await ctx?.cleanup();
});

test("workers joining and leaving every few seconds under load: one record and one event per document, every committed offset backed", async () => {
  const docs = documents(BATCHES * PER_BATCH);
  const db = ctx.db.adminUrl;
  const config = () => ctx.config({ INFERENCE_ADDRESS: sidecar.address, INFERENCE_CONCURRENCY: "4", SHUTDOWN_GRACE_MS: "3000" });
  running.push(await startWorker(config()));

  const stormEnds = Date.now() + STORM_MS;
  let joins = 0;
  let leaves = 0;
  const storm = (async () => {
    while (Date.now() < stormEnds) {
      await new Promise((r) => setTimeout(r, CHURN_EVERY_MS));
      // Up to three workers; the oldest leaves when the group is full, otherwise one joins.
      if (running.length >= 3) {
        await running.shift()!.stop();
        leaves += 1;
      } else {
        running.push(await startWorker(config()));
        joins += 1;
      }
    }
  })();
  for (let b = 0; b < BATCHES; b++) {
    await produce(
      ctx.topics.documents,
      docs.slice(b * PER_BATCH, (b + 1) * PER_BATCH).map((d) => encodeEvent(d)),
    );
    await new Promise((r) => setTimeout(r, STORM_MS / BATCHES));
  }
  await storm;
  assert.ok(joins >= 2 && leaves >= 2, `the group churned (${joins} joins, ${leaves} leaves)`);

  await waitFor("every document recorded", async () => (await count(db, "liability_records")) === docs.length, 120_000, 500);
  await waitFor("outbox drained", async () => (await count(db, "outbox", "published_at IS NULL")) === 0, 60_000);
  const records = await query<{ document_id: string; kafka_partition: number; kafka_offset: string }>(
    db,
    "SELECT document_id, kafka_partition, kafka_offset FROM liability_records",
  );
  assert.equal(new Set(records.map((r) => r.document_id)).size, docs.length, "one record per document");
  assert.equal((await readTopic(ctx.topics.dlq, 1, 2_000)).length, 0, "nothing dead-lettered");
  await assertOneEventPerKey(ctx.topics.recorded, docs.length);
  await assertCommittedOffsetsBacked(ctx.group, ctx.topics.documents, docs.length, records);
});
