// A document the sidecar never finishes in time, among documents it answers: after its limit of
// timed-out calls it is dead-lettered with its reason and original bytes, every other document is
// recorded, and its partition moves on (before, the partition retried it for ever). Real Kafka,
// real PostgreSQL, the fake sidecar holding one document past the deadline.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { fromBinary } from "@bufbuild/protobuf";
import { DeadLetterReason, DeadLetterSchema } from "@liability/contracts";
import type { Worker } from "@liability/worker";
import { FakeInferenceSidecarProcess } from "@liability/test-support";
import {
  committedOffsets,
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

let ctx: WorkerTestContext;
let sidecar: FakeInferenceSidecarProcess;
let worker: Worker | undefined;
const docs = documents(6);
const slow = docs[2]!;

before(async () => {
  ctx = await workerTestContext({ partitions: 1 });
  sidecar = await FakeInferenceSidecarProcess.start({ labels: exampleLabels, answers: { [slow.id]: { delayMs: 5_000 } } });
});

after(async () => {
  await worker?.stop();
  await sidecar?.stop();
  await ctx?.cleanup();
});

test("a document that keeps timing out while others are answered is dead-lettered after its limit; the rest is recorded and committed", async () => {
  await produce(
    ctx.topics.documents,
    docs.map((d) => encodeEvent(d)),
  );
  worker = await startWorker(
    ctx.config({
      INFERENCE_ADDRESS: sidecar.address,
      INFERENCE_DEADLINE_MS: "400",
      INFERENCE_MAX_ATTEMPTS: "2",
      INFERENCE_MAX_DOCUMENT_TIMEOUTS: "4",
    }),
  );

  await waitFor("the other documents recorded", async () => (await count(ctx.db.adminUrl, "liability_records")) === docs.length - 1, 60_000);
  const [letter] = await readTopic(ctx.topics.dlq, 1, 20_000);
  assert.ok(letter, "the slow document is dead-lettered");
  const deadLetter = fromBinary(DeadLetterSchema, letter.value!);
  assert.equal(deadLetter.reason, DeadLetterReason.INFERENCE_TIMED_OUT);
  assert.equal(Buffer.from(deadLetter.originalValue).equals(encodeEvent(slow).value), true, "with the original bytes, for a replay");
  const timedOut = await query<{ n: string }>(
    ctx.db.adminUrl,
    "SELECT count(*) AS n FROM extraction_attempts WHERE document_id = $1 AND error_code = 'DEADLINE_EXCEEDED'",
    [slow.id],
  );
  assert.ok(Number(timedOut[0]!.n) >= 4, "each timed-out call is in the audit");
  await waitFor("every offset committed", async () => (await committedOffsets(ctx.group, ctx.topics.documents)) === docs.length, 20_000);
});
