// PostgreSQL killed with SIGKILL mid-load, with production's durability settings: every offset
// the worker committed before the crash is backed by a record after recovery, and once it is
// back every document is recorded exactly once. A private cluster, so that no other test sees it.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Worker } from "@liability/worker";
import { FakeInferenceSidecar } from "./support/fake-sidecar.ts";
import { PrivatePostgres } from "./support/private-postgres.ts";
import {
  committedOffsetsByPartition,
  count,
  counterValue,
  documents,
  encodeEvent,
  exampleLabels,
  produce,
  query,
  startWorker,
  testTelemetry,
  waitFor,
  workerTestContext,
} from "./support/env.ts";
import type { WorkerTestContext } from "./support/env.ts";

const telemetry = testTelemetry();
let ctx: WorkerTestContext;
let sidecar: FakeInferenceSidecar;
let postgres: PrivatePostgres;
let worker: Worker | undefined;

before(async () => {
  [ctx, sidecar, postgres] = await Promise.all([
    workerTestContext(),
    FakeInferenceSidecar.start({ labels: exampleLabels, delayMs: 60 }),
    PrivatePostgres.create({ durable: true }),
  ]);
});

after(async () => {
  await worker?.stop();
  await sidecar?.stop();
  await postgres?.destroy();
  await ctx?.cleanup();
  await telemetry.shutdown();
});

test("PostgreSQL killed with SIGKILL mid-load: every committed offset is backed by a record, and nothing is lost or doubled", async () => {
  const docs = documents(60);
  await produce(
    ctx.topics.documents,
    docs.map((d) => encodeEvent(d)),
  );
  worker = await startWorker(
    ctx.config({ INFERENCE_ADDRESS: sidecar.address, DATABASE_URL: postgres.workerUrl, DATABASE_SCHEMA: "public", INFERENCE_CONCURRENCY: "2" }),
  );
  const db = postgres.adminUrl;
  await waitFor("first records", async () => (await count(db, "liability_records")) >= 8);
  await postgres.kill();
  await waitFor(
    "consumer paused for the database",
    async () => counterValue(await telemetry.metrics(), "lre.worker.consumer.pauses", { dependency: "database" }) >= 1,
  );
  // While the database is down nothing more can be written, so nothing more can be committed.
  const committed = await committedOffsetsByPartition(ctx.group, ctx.topics.documents);
  await postgres.start();

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
