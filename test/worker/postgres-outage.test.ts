// PostgreSQL stopped and restarted, or killed with SIGKILL, mid-stream: the worker pauses
// consumption, commits no offset for unwritten work, resumes by itself, and every document is
// recorded exactly once. Each database is a private cluster, so that stopping it disturbs no
// other test; the crash runs with production's durability settings.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Worker } from "@liability/worker";
import { FakeInferenceSidecarProcess } from "@liability/test-support";
import { PrivatePostgres } from "./support/private-postgres.ts";
import {
  committedOffsetsByPartition,
  assertOneEventPerKey,
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
let postgres: PrivatePostgres;
let worker: Worker | undefined;
/** What the crash test started, stopped in this order. */
const cleanups: (() => Promise<unknown>)[] = [];

before(async () => {
  [ctx, sidecar, postgres] = await Promise.all([
    workerTestContext(),
    FakeInferenceSidecarProcess.start({ labels: exampleLabels, latency: "fixed:80" }),
    PrivatePostgres.create(),
  ]);
});

after(async () => {
  for (const cleanup of cleanups) await cleanup();
  await worker?.stop();
  await sidecar?.stop();
  await postgres?.destroy();
  await ctx?.cleanup();
  await telemetry.shutdown();
});

test("PostgreSQL stopped and restarted mid-stream: nothing skipped, dead-lettered, lost or duplicated", async () => {
  const docs = documents(50);
  await produce(
    ctx.topics.documents,
    docs.map((d) => encodeEvent(d)),
  );
  worker = await startWorker(
    ctx.config({ INFERENCE_ADDRESS: sidecar.address, DATABASE_URL: postgres.workerUrl, DATABASE_SCHEMA: "public", INFERENCE_CONCURRENCY: "2" }),
  );
  const db = postgres.adminUrl;

  await waitFor("first records", async () => (await count(db, "liability_records")) >= 6);
  await postgres.stop();
  await waitFor(
    "consumer paused for the database",
    async () => counterValue(await telemetry.metrics(), "lre.worker.consumer.pauses", { dependency: "database" }) >= 1,
  );
  await new Promise((r) => setTimeout(r, 1500));
  await postgres.start();

  await waitFor("all records", async () => (await count(db, "liability_records")) === docs.length, 60_000);
  await waitFor("outbox drained", async () => (await count(db, "outbox", "published_at IS NULL")) === 0);
  const duplicates = await query(db, "SELECT document_id FROM liability_records GROUP BY document_id HAVING count(*) > 1");
  assert.equal(duplicates.length, 0);
  assert.equal(await count(db, "liability_records", "status = 'accepted'"), docs.length);
  assert.equal(await count(db, "outbox"), docs.length);
  assert.equal((await readTopic(ctx.topics.dlq, 1, 2_000)).length, 0, "nothing dead-lettered");
  await assertOneEventPerKey(ctx.topics.recorded, docs.length);
});

test("PostgreSQL killed with SIGKILL mid-load: every committed offset is backed by a record, and nothing is lost or doubled", async () => {
  const [crashCtx, durable] = await Promise.all([workerTestContext(), PrivatePostgres.create({ durable: true })]);
  cleanups.push(
    () => durable.destroy(),
    () => crashCtx.cleanup(),
  );
  const docs = documents(60);
  await produce(
    crashCtx.topics.documents,
    docs.map((d) => encodeEvent(d)),
  );
  const crashWorker = await startWorker(
    crashCtx.config({ INFERENCE_ADDRESS: sidecar.address, DATABASE_URL: durable.workerUrl, DATABASE_SCHEMA: "public", INFERENCE_CONCURRENCY: "2" }),
  );
  cleanups.unshift(() => crashWorker.stop());
  const db = durable.adminUrl;
  const pausesBefore = counterValue(await telemetry.metrics(), "lre.worker.consumer.pauses", { dependency: "database" });
  await waitFor("first records", async () => (await count(db, "liability_records")) >= 8);
  await durable.kill();
  await waitFor(
    "consumer paused for the database",
    async () => counterValue(await telemetry.metrics(), "lre.worker.consumer.pauses", { dependency: "database" }) > pausesBefore,
  );
  // While the database is down nothing more can be written, so nothing more can be committed.
  const committed = await committedOffsetsByPartition(crashCtx.group, crashCtx.topics.documents);
  await durable.start();

  for (const [partition, offset] of committed) {
    const [row] = await query<{ n: string }>(db, "SELECT count(*) AS n FROM liability_records WHERE kafka_partition = $1 AND kafka_offset < $2", [
      partition,
      offset,
    ]);
    assert.equal(Number(row!.n), offset, `partition ${partition}: every message below committed offset ${offset} has its record`);
  }
  assert.ok(
    [...committed.values()].some((n) => n > 0),
    "the crash came after some offsets were committed",
  );

  await waitFor("all records", async () => (await count(db, "liability_records")) === docs.length, 90_000);
  const duplicates = await query(db, "SELECT document_id FROM liability_records GROUP BY tenant_id, document_id HAVING count(*) > 1");
  assert.equal(duplicates.length, 0);
  await waitFor("outbox drained", async () => (await count(db, "outbox", "published_at IS NULL")) === 0);
  assert.equal(await count(db, "outbox"), docs.length, "one event per record, none lost in the crash");
});
