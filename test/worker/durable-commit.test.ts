// The worker's transaction is durable whatever the server's default: offsets are committed once
// writeBatch returns, so its COMMIT must not return before the WAL is on disk. On a server set to
// commit asynchronously (synchronous_commit = off, the WAL writer flushing only every 10 s) every
// worker transaction must still flush the WAL itself. PostgreSQL counts those flushes
// (pg_stat_wal.wal_sync); each transaction that wrote records leaves its id in their xmin.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Worker } from "@liability/worker";
import { FakeInferenceSidecarProcess } from "@liability/test-support";
import { PrivatePostgres } from "./support/private-postgres.ts";
import { count, documents, encodeEvent, exampleLabels, produce, query, startWorker, waitFor, workerTestContext } from "./support/env.ts";
import type { WorkerTestContext } from "./support/env.ts";

let ctx: WorkerTestContext;
let sidecar: FakeInferenceSidecarProcess;
let postgres: PrivatePostgres;
let worker: Worker | undefined;

before(async () => {
  [ctx, sidecar, postgres] = await Promise.all([
    workerTestContext({ partitions: 1 }),
    FakeInferenceSidecarProcess.start({ labels: exampleLabels, latency: "fixed:10" }),
    PrivatePostgres.create({ durable: true, settings: { synchronous_commit: "off", wal_writer_delay: "10s", wal_writer_flush_after: "64MB" } }),
  ]);
});

after(async () => {
  await worker?.stop();
  await sidecar?.stop();
  await postgres?.destroy();
  await ctx?.cleanup();
});

async function walSyncs(): Promise<number> {
  const [row] = await query<{ wal_sync: string }>(postgres.adminUrl, "SELECT wal_sync FROM pg_stat_wal");
  return Number(row!.wal_sync);
}

test("on a server that commits asynchronously, every worker transaction still waits for its WAL flush", async () => {
  const [setting] = await query<{ synchronous_commit: string }>(postgres.adminUrl, "SHOW synchronous_commit");
  assert.equal(setting!.synchronous_commit, "off", "the server's default is asynchronous");
  worker = await startWorker(
    ctx.config({ INFERENCE_ADDRESS: sidecar.address, DATABASE_URL: postgres.workerUrl, DATABASE_SCHEMA: "public", OUTBOX_POLL_INTERVAL_MS: "60000" }),
  );
  const before = await walSyncs();
  const docs = documents(24);
  // Documents in rounds, so that the worker writes them in several transactions.
  for (let round = 0; round < 6; round++) {
    await produce(
      ctx.topics.documents,
      docs.slice(round * 4, round * 4 + 4).map((d) => encodeEvent(d)),
    );
    await waitFor("the round recorded", async () => (await count(postgres.adminUrl, "liability_records")) === round * 4 + 4, 30_000, 50);
  }
  // A backend reports its WAL statistics when idle, at most every 10 s, and always when it exits:
  // stopping the worker closes its connections.
  await worker.stop();
  worker = undefined;
  await new Promise((r) => setTimeout(r, 500));
  const syncs = (await walSyncs()) - before;
  const [row] = await query<{ n: string }>(postgres.adminUrl, "SELECT count(DISTINCT xmin::text) AS n FROM liability_records");
  const transactions = Number(row!.n);
  assert.ok(transactions >= 6, `the records came in ${transactions} transactions`);
  assert.ok(syncs >= transactions, `${syncs} WAL flushes for ${transactions} worker transactions: each commit waited for its flush`);
});
