// One broker of a three-node cluster (topics with replication factor 3, min.insync.replicas 2, as in
// production) killed with SIGKILL while documents are still arriving and the worker is recording
// them, then restarted while they still arrive: every document ends as a record or a dead letter, no
// record or event is doubled, and every committed offset is backed by a record. The cluster is the test's own, so the kill disturbs no
// other test.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Worker } from "@liability/worker";
import { FakeInferenceSidecarProcess } from "@liability/test-support";
import { PrivateKafkaCluster } from "./support/private-kafka.ts";
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

const BATCHES = 8;
const PER_BATCH = 30;

let cluster: PrivateKafkaCluster;
let ctx: WorkerTestContext;
let sidecar: FakeInferenceSidecarProcess;
let worker: Worker | undefined;

before(async () => {
  [cluster, sidecar] = await Promise.all([PrivateKafkaCluster.start(), FakeInferenceSidecarProcess.start({ labels: exampleLabels, latency: "fixed:20" })]);
  ctx = await workerTestContext({ partitions: 3, cluster });
});

after(async () => {
  await worker?.stop();
  await sidecar?.stop();
  await ctx?.cleanup();
  await cluster?.destroy();
});

test("a broker killed under load and restarted: documents in = records + dead letters, no record or event doubled, every committed offset backed", async () => {
  const docs = documents(BATCHES * PER_BATCH);
  const db = ctx.db.adminUrl;
  worker = await startWorker(ctx.config({ INFERENCE_ADDRESS: sidecar.address, INFERENCE_CONCURRENCY: "4" }));

  let killed = 0;
  for (let b = 0; b < BATCHES; b++) {
    await produce(
      ctx.topics.documents,
      docs.slice(b * PER_BATCH, (b + 1) * PER_BATCH).map((d) => encodeEvent(d)),
      cluster.brokers,
    );
    if (b === 2) {
      await waitFor("records before the kill", async () => (await count(db, "liability_records")) >= PER_BATCH);
      killed = await cluster.busiestLeader(ctx.topics.documents);
      await cluster.kill(killed);
    }
    // The broker comes back while documents still arrive: it catches up and leaders may move again.
    if (b === 5) await cluster.restartDown();
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.ok(killed >= 1, "a broker was killed");

  await waitFor("every document recorded", async () => (await count(db, "liability_records")) === docs.length, 120_000, 500);
  await waitFor("outbox drained", async () => (await count(db, "outbox", "published_at IS NULL")) === 0, 60_000);

  const records = await query<{ tenant_id: string; document_id: string; kafka_partition: number; kafka_offset: string }>(
    db,
    "SELECT tenant_id, document_id, kafka_partition, kafka_offset FROM liability_records",
  );
  const deadLetters = await readTopic(ctx.topics.dlq, 1, 2_000, cluster.brokers);
  assert.equal(records.length + deadLetters.length, docs.length, "documents in = records + dead letters");
  assert.equal(deadLetters.length, 0, "a lost broker is no reason to dead-letter a document");
  assert.equal(new Set(records.map((r) => r.document_id)).size, docs.length, "one record per document");

  await assertOneEventPerKey(ctx.topics.recorded, docs.length, cluster.brokers);

  await assertCommittedOffsetsBacked(ctx.group, ctx.topics.documents, docs.length, records, cluster.brokers);
});
