// Duplicates and redelivery: the same event twice, and a consumer that dies after the
// database commit but before the offset commit. Either way: exactly one record per document,
// one outbox row, one LiabilityRecorded.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { kafkaConnectionOptions } from "@liability/platform";
import { createKafka, createWorker, KafkajsConsumer } from "@liability/worker";
import type { BatchHandler, MessageConsumer, Worker } from "@liability/worker";
import { FakeInferenceSidecarProcess } from "@liability/test-support";
import {
  committedOffsets,
  count,
  counterValue,
  documents,
  encodeEvent,
  exampleLabels,
  produce,
  query,
  readTopic,
  startWorker,
  testLogger,
  testTelemetry,
  waitFor,
  workerTestContext,
} from "./support/env.ts";
import type { WorkerTestContext } from "./support/env.ts";

const telemetry = testTelemetry();
let sidecar: FakeInferenceSidecarProcess;
const contexts: WorkerTestContext[] = [];
const workers: Worker[] = [];

before(async () => {
  sidecar = await FakeInferenceSidecarProcess.start({ labels: exampleLabels });
});

after(async () => {
  for (const w of workers) await w.stop();
  await sidecar?.stop();
  for (const c of contexts) await c.cleanup();
  await telemetry.shutdown();
});

test("the same event delivered twice (in one batch and again later) makes one record and one event", async () => {
  const ctx = await workerTestContext({ partitions: 1 });
  contexts.push(ctx);
  const docs = documents(6);
  const events = docs.map((d) => encodeEvent(d));
  // Every event twice in a row, so duplicates share a batch.
  await produce(
    ctx.topics.documents,
    events.flatMap((e) => [e, e]),
  );
  const worker = await startWorker(ctx.config({ INFERENCE_ADDRESS: sidecar.address }));
  workers.push(worker);
  await waitFor("records", async () => (await count(ctx.db.adminUrl, "liability_records")) === docs.length);
  await waitFor("all 12 offsets committed", async () => (await committedOffsets(ctx.group, ctx.topics.documents)) === 12);

  // And once more, long after the first copies were recorded.
  await produce(ctx.topics.documents, events.slice(0, 3));
  await waitFor("late duplicates consumed", async () => (await committedOffsets(ctx.group, ctx.topics.documents)) === 15);

  assert.equal(await count(ctx.db.adminUrl, "liability_records"), docs.length);
  assert.equal(await count(ctx.db.adminUrl, "outbox"), docs.length);
  const published = await readTopic(ctx.topics.recorded, docs.length);
  assert.equal(published.length, docs.length, "one LiabilityRecorded per document");
  // Redeliveries of recorded documents cost no inference.
  assert.equal(sidecar.requests().filter((r) => docs.some((d) => d.id === r.documentId)).length, docs.length);
  assert.equal(counterValue(await telemetry.metrics(), "lre.worker.documents.processed", { outcome: "duplicate" }), 9);
});

/**
 * The real kafkajs consumer, except that the first batch which wrote anything "dies" right
 * after the handler's database commit: its result is reported as unprocessed (so no offset is
 * committed) and consumption stops, as if the process had been killed at that moment.
 */
class DiesAfterDatabaseCommit implements MessageConsumer {
  readonly died: Promise<void>;
  #markDied!: () => void;
  #dead = false;
  readonly #inner: MessageConsumer;

  constructor(inner: MessageConsumer) {
    this.#inner = inner;
    this.died = new Promise((resolve) => (this.#markDied = resolve));
  }

  start(handler: BatchHandler): Promise<void> {
    return this.#inner.start(async (batch, ctx) => {
      if (this.#dead) return { processedThrough: null, pause: true };
      const result = await handler(batch, ctx);
      if (result.processedThrough !== null) {
        this.#dead = true;
        this.#markDied();
        return { processedThrough: null, pause: true };
      }
      return result;
    });
  }
  pause(): void {
    this.#inner.pause();
  }
  resume(): void {
    if (!this.#dead) this.#inner.resume();
  }
  isPaused(): boolean {
    return this.#inner.isPaused();
  }
  stop(graceMs?: number): Promise<void> {
    return this.#inner.stop(graceMs);
  }
}

test("a consumer killed after the database commit and before the offset commit: redelivery makes no second record", async () => {
  const ctx = await workerTestContext({ partitions: 1 });
  contexts.push(ctx);
  const docs = documents(8);
  await produce(
    ctx.topics.documents,
    docs.map((d) => encodeEvent(d)),
  );

  const config = ctx.config({ INFERENCE_ADDRESS: sidecar.address });
  const logger = testLogger();
  const dying = new DiesAfterDatabaseCommit(
    new KafkajsConsumer(
      createKafka(kafkaConnectionOptions(config), logger),
      {
        groupId: config.KAFKA_CONSUMER_GROUP,
        topic: config.KAFKA_TOPIC_DOCUMENTS,
        fromBeginning: true,
        sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
        heartbeatIntervalMs: config.KAFKA_HEARTBEAT_INTERVAL_MS,
        maxBytesPerPartition: config.KAFKA_MAX_BYTES_PER_PARTITION,
        partitionsConsumedConcurrently: 1,
      },
      logger,
    ),
  );
  const first = createWorker(config, logger, { consumer: dying });
  await first.start();
  await dying.died;
  await first.stop();
  const written = await count(ctx.db.adminUrl, "liability_records");
  assert.ok(written > 0, "the first consumer wrote its batch");
  assert.equal(await committedOffsets(ctx.group, ctx.topics.documents), 0, "but committed no offset");

  const second = await startWorker(config);
  workers.push(second);
  await waitFor("all offsets committed", async () => (await committedOffsets(ctx.group, ctx.topics.documents)) === docs.length);
  assert.equal(await count(ctx.db.adminUrl, "liability_records"), docs.length);
  const perDocument = await query<{ n: string }>(ctx.db.adminUrl, "SELECT count(*) AS n FROM liability_records GROUP BY document_id HAVING count(*) > 1");
  assert.equal(perDocument.length, 0);
  assert.equal(await count(ctx.db.adminUrl, "outbox"), docs.length, "one outbox event per document");
  const published = await readTopic(ctx.topics.recorded, docs.length);
  assert.equal(published.length, docs.length);
});
