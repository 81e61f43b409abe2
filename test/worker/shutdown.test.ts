// The worker as a real process (services/worker/src/main.ts) under load: a second worker
// joining (rebalance), SIGTERM to the first, and a worker killed with SIGKILL. Every document
// is recorded exactly once, and a committed offset never covers a message without a record.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { FakeInferenceSidecarProcess } from "@liability/test-support";
import {
  committedOffsetsByPartition,
  count,
  documents,
  encodeEvent,
  exampleLabels,
  produce,
  query,
  readTopic,
  waitFor,
  workerTestContext,
} from "./support/env.ts";
import type { WorkerTestContext } from "./support/env.ts";

const MAIN = fileURLToPath(new URL("../../services/worker/src/main.ts", import.meta.url));
let sidecar: FakeInferenceSidecarProcess;
const contexts: WorkerTestContext[] = [];
const children: ChildProcess[] = [];

before(async () => {
  sidecar = await FakeInferenceSidecarProcess.start({ labels: exampleLabels, latency: "fixed:150" });
});

after(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  await sidecar?.stop();
  for (const c of contexts) await c.cleanup();
});

function spawnWorker(env: Record<string, string>): { child: ChildProcess; exit: Promise<{ code: number | null; signal: string | null }>; log: () => string } {
  const child = spawn(process.execPath, [MAIN], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let output = "";
  child.stdout!.on("data", (c: Buffer) => (output += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (output += c.toString()));
  const exit = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  return { child, exit, log: () => output };
}

/** Committed offsets per partition of the group. */
/** Every message below a committed offset has its record: no offset was committed for unwritten work. */
async function assertCommittedWorkIsWritten(ctx: WorkerTestContext): Promise<void> {
  const offsets = await committedOffsetsByPartition(ctx.group, ctx.topics.documents);
  const written = await query<{ kafka_partition: number; kafka_offset: string }>(
    ctx.db.adminUrl,
    "SELECT kafka_partition, kafka_offset FROM liability_records",
  );
  const byPartition = new Map<number, Set<number>>();
  for (const r of written) {
    const set = byPartition.get(r.kafka_partition) ?? new Set<number>();
    set.add(Number(r.kafka_offset));
    byPartition.set(r.kafka_partition, set);
  }
  for (const [partition, offset] of offsets) {
    for (let o = 0; o < offset; o += 1) {
      assert.ok(byPartition.get(partition)?.has(o), `partition ${partition} committed ${offset} but offset ${o} has no record`);
    }
  }
}

async function assertExactlyOnce(ctx: WorkerTestContext, n: number): Promise<void> {
  assert.equal(await count(ctx.db.adminUrl, "liability_records"), n);
  assert.equal(await count(ctx.db.adminUrl, "outbox"), n);
  const total = [...(await committedOffsetsByPartition(ctx.group, ctx.topics.documents)).values()].reduce((a, b) => a + Math.max(0, b), 0);
  assert.equal(total, n, "every offset committed");
  assert.equal((await readTopic(ctx.topics.dlq, 1, 1_500)).length, 0);
}

test("SIGTERM under load, with a rebalance in the middle: stops cleanly and loses nothing", async (t) => {
  const ctx = await workerTestContext();
  contexts.push(ctx);
  const docs = documents(80);
  await produce(
    ctx.topics.documents,
    docs.map((d) => encodeEvent(d)),
  );
  // A slow sidecar of its own keeps both workers busy for a while: ~5 documents/s per worker.
  const slow = await FakeInferenceSidecarProcess.start({ labels: exampleLabels, latency: "fixed:400" });
  t.after(() => slow.stop());
  const env = ctx.env({ INFERENCE_ADDRESS: slow.address, INFERENCE_CONCURRENCY: "2", LOG_LEVEL: "info" });

  const first = spawnWorker(env);
  await waitFor("first records", async () => (await count(ctx.db.adminUrl, "liability_records")) >= 4);
  // A second member joins the group while the first is busy: a rebalance under load.
  const second = spawnWorker(env);
  await waitFor("second worker started", async () => /worker started/.test(second.log()), 60_000);
  await waitFor("more records", async () => (await count(ctx.db.adminUrl, "liability_records")) >= 20);

  const termAt = Date.now();
  const atTerm = await count(ctx.db.adminUrl, "liability_records");
  assert.ok(atTerm < docs.length, "SIGTERM lands while documents are still being processed");
  first.child.kill("SIGTERM");
  const { code } = await first.exit;
  assert.equal(code, 0, `clean exit\n${first.log().slice(-2000)}`);
  assert.ok(Date.now() - termAt < 15_000, "stopped within the grace period");
  assert.match(first.log(), /worker stopped/);
  await assertCommittedWorkIsWritten(ctx);

  await waitFor("all records", async () => (await count(ctx.db.adminUrl, "liability_records")) === docs.length, 60_000);
  await waitFor(
    "all committed",
    async () => [...(await committedOffsetsByPartition(ctx.group, ctx.topics.documents)).values()].reduce((a, b) => a + b, 0) === docs.length,
  );
  await waitFor("outbox drained", async () => (await count(ctx.db.adminUrl, "outbox", "published_at IS NULL")) === 0);
  second.child.kill("SIGTERM");
  const secondExit = await second.exit;
  assert.equal(secondExit.code, 0, `second worker: ${JSON.stringify(secondExit)}\n${second.log().slice(-3000)}`);
  await assertExactlyOnce(ctx, docs.length);
});

test("SIGKILL under load: a new worker picks up and nothing is lost or recorded twice", async () => {
  const ctx = await workerTestContext();
  contexts.push(ctx);
  const docs = documents(60);
  await produce(
    ctx.topics.documents,
    docs.map((d) => encodeEvent(d)),
  );
  // A short session, so the group notices the dead member quickly.
  const env = ctx.env({ INFERENCE_ADDRESS: sidecar.address, INFERENCE_CONCURRENCY: "2", KAFKA_SESSION_TIMEOUT_MS: "6000" });

  const doomed = spawnWorker(env);
  await waitFor("first records", async () => (await count(ctx.db.adminUrl, "liability_records")) >= 10);
  doomed.child.kill("SIGKILL");
  await doomed.exit;
  await assertCommittedWorkIsWritten(ctx);

  const successor = spawnWorker({ ...env, LOG_LEVEL: "info" });
  await waitFor("all records", async () => (await count(ctx.db.adminUrl, "liability_records")) === docs.length, 60_000);
  await waitFor(
    "all committed",
    async () => [...(await committedOffsetsByPartition(ctx.group, ctx.topics.documents)).values()].reduce((a, b) => a + b, 0) === docs.length,
  );
  await waitFor("outbox drained", async () => (await count(ctx.db.adminUrl, "outbox", "published_at IS NULL")) === 0);
  await waitFor("successor started", async () => /worker started/.test(successor.log()));
  successor.child.kill("SIGTERM");
  const successorExit = await successor.exit;
  assert.equal(successorExit.code, 0, `successor: ${JSON.stringify(successorExit)}\n${successor.log().slice(-3000)}`);
  await assertExactlyOnce(ctx, docs.length);
});
