// Document ids are each tenant's own. Two tenants sending the same id each get their record,
// and a tenant resending an id with other text gets a dead letter that says so, never silence.
// Real Kafka and PostgreSQL, the fake sidecar answering each document's label.
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
  examples,
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

before(async () => {
  ctx = await workerTestContext({ partitions: 1 });
  sidecar = await FakeInferenceSidecarProcess.start({ labels: exampleLabels });
});

after(async () => {
  await worker?.stop();
  await sidecar?.stop();
  await ctx?.cleanup();
});

test("the same document id from two tenants makes two records; a resend with other text is a conflict, not a silent duplicate", async () => {
  const [doc] = documents(1);
  const otherTenant = { ...doc!, tenantId: "tenant-b" };
  const redelivery = doc!;
  const amended = { ...doc!, text: examples.find((e) => e.text !== doc!.text)!.text };
  const sent = [doc!, otherTenant, redelivery, amended];
  await produce(
    ctx.topics.documents,
    sent.map((d) => encodeEvent(d)),
  );
  worker = await startWorker(ctx.config({ INFERENCE_ADDRESS: sidecar.address }));

  await waitFor("every offset committed", async () => (await committedOffsets(ctx.group, ctx.topics.documents)) === sent.length);
  const rows = await query<{ tenant_id: string; document_id: string }>(
    ctx.db.adminUrl,
    "SELECT tenant_id, document_id FROM liability_records ORDER BY tenant_id",
  );
  assert.deepEqual(rows, [
    { tenant_id: "tenant-a", document_id: doc!.id },
    { tenant_id: "tenant-b", document_id: doc!.id },
  ]);
  assert.equal(await count(ctx.db.adminUrl, "outbox"), 2, "one event per tenant's record");

  const letters = await readTopic(ctx.topics.dlq, 1);
  assert.equal(letters.length, 1);
  const letter = fromBinary(DeadLetterSchema, letters[0]!.value!);
  assert.equal(DeadLetterReason[letter.reason], "CONFLICTING_RESEND");
  assert.equal(letter.documentId, doc!.id);
  assert.equal(letter.originalOffset, 3n, "the amended copy, not the redelivery");
});
