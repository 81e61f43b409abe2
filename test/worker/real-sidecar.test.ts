// The worker against the real inference sidecar process (services/inference, llama.cpp with the
// base model from infra/models): the contract, health probing and trace propagation hold with
// the real thing, and every document ends as a record (accepted or, for a base model that
// gets fields wrong, sent to review with reasons), none dead-lettered.
// Slow on a CPU (model warm-up, seconds per document), so it uses two documents. Skipped when
// the model file is missing or LRE_TEST_REAL_SIDECAR=false.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { fromBinary } from "@bufbuild/protobuf";
import { LiabilityRecordedSchema } from "@liability/contracts";
import type { Worker } from "@liability/worker";
import {
  count,
  documents,
  encodeEvent,
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

const MODEL = fileURLToPath(new URL("../../.cache/models/SmolLM2-135M-Instruct.Q4_1.gguf", import.meta.url));
const SIDECAR = fileURLToPath(new URL("../../services/inference/src/main.ts", import.meta.url));
const enabled = process.env.LRE_TEST_REAL_SIDECAR !== "false" && existsSync(MODEL);

const telemetry = testTelemetry();
let ctx: WorkerTestContext | undefined;
let sidecar: ChildProcess | undefined;
let worker: Worker | undefined;
const dir = mkdtempSync(join(tmpdir(), "real-sidecar-"));

after(async () => {
  await worker?.stop();
  if (sidecar && sidecar.exitCode === null) {
    const exited = new Promise((r) => sidecar!.once("exit", r));
    sidecar.kill("SIGTERM");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    if (sidecar.exitCode === null) sidecar.kill("SIGKILL");
  }
  await ctx?.cleanup();
  rmSync(dir, { recursive: true, force: true });
  await telemetry.shutdown();
});

test("documents through the real sidecar: one record each, traced, nothing dead-lettered", {
  skip: !enabled && "no base model (run infra/models/fetch-base-model.sh) or LRE_TEST_REAL_SIDECAR=false",
}, async () => {
  ctx = await workerTestContext();
  const address = `unix:${join(dir, "inference.sock")}`;
  let sidecarLog = "";
  sidecar = spawn(process.execPath, [SIDECAR], {
    env: { ...process.env, INFERENCE_LISTEN_ADDRESS: address, INFERENCE_SEQUENCES: "2", LOG_LEVEL: "warn" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  sidecar.stdout!.on("data", (c: Buffer) => (sidecarLog += c.toString()));
  sidecar.stderr!.on("data", (c: Buffer) => (sidecarLog += c.toString()));

  const docs = documents(2);
  const traces = new Map(docs.map((d) => [d.id, newTraceparent()]));
  await produce(
    ctx.topics.documents,
    docs.map((d) => encodeEvent(d, { traceparent: traces.get(d.id)!.traceparent })),
  );
  // The worker starts before the sidecar is ready: it must wait (paused), not skip or dead-letter.
  worker = await startWorker(ctx.config({ INFERENCE_ADDRESS: address, INFERENCE_DEADLINE_MS: "120000", INFERENCE_CONCURRENCY: "2" }));

  await waitFor(
    "records from the real model",
    async () => {
      if (sidecar!.exitCode !== null) throw new Error(`sidecar exited: ${sidecarLog.slice(-2000)}`);
      return (await count(ctx!.db.adminUrl, "liability_records")) === docs.length;
    },
    300_000,
    1_000,
  );

  const rows = await query<{ document_id: string; status: string; trace_id: string; model_id: string; model_version: string }>(
    ctx.db.adminUrl,
    "SELECT document_id, status, trace_id, model_id, model_version FROM liability_records",
  );
  for (const row of rows) {
    assert.ok(["accepted", "review"].includes(row.status));
    assert.equal(row.trace_id, traces.get(row.document_id)!.traceId);
    assert.match(row.model_id, /SmolLM2/);
    assert.ok(row.model_version.length > 0);
    if (row.status === "review") {
      const [item] = await query<{ reasons: unknown[] }>(ctx.db.adminUrl, "SELECT reasons FROM review_queue WHERE document_id = $1", [row.document_id]);
      assert.ok(item && item.reasons.length > 0, "review with reasons");
    }
  }
  assert.equal((await readTopic(ctx.topics.dlq, 1, 1_500)).length, 0);
  const events = await readTopic(ctx.topics.recorded, docs.length);
  assert.equal(events.length, docs.length);
  for (const m of events) {
    const event = fromBinary(LiabilityRecordedSchema, m.value!);
    assert.equal(m.headers!.traceparent!.toString().split("-")[1], traces.get(event.documentId)!.traceId);
  }
});
