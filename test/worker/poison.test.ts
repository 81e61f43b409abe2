// Poison messages mixed into a stream of good ones: each bad one lands in the dead-letter
// topic with the right reason and its original bytes and headers; every good one is recorded.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { DeadLetterReason, DeadLetterSchema, DocumentKind, DocumentReceivedSchema } from "@liability/contracts";
import type { Worker } from "@liability/worker";
import { FakeInferenceSidecarProcess } from "@liability/test-support";
import {
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
import type { RawMessage, TestDocument, WorkerTestContext } from "./support/env.ts";

const telemetry = testTelemetry();
let ctx: WorkerTestContext;
let sidecar: FakeInferenceSidecarProcess;
let worker: Worker | undefined;

const good = documents(9);
const rejected: TestDocument = { ...good[0]!, id: `${good[0]!.id}-rejected` };

function event(fields: Record<string, unknown>, text?: Uint8Array): Buffer {
  const message = create(DocumentReceivedSchema, {
    documentId: "d-poison",
    tenantId: "tenant-a",
    kind: DocumentKind.STATEMENT,
    contentType: "text/plain; charset=utf-8",
    content: text === undefined ? { case: undefined } : { case: "text", value: text },
    ...fields,
  });
  return Buffer.from(toBinary(DocumentReceivedSchema, message));
}

const utf8 = (s: string) => new TextEncoder().encode(s);
const protobuf = { "content-type": "application/x-protobuf" };

/** key → [message, expected reason] */
const poison: Record<string, [RawMessage, DeadLetterReason]> = {
  "p-garbage": [
    { key: "p-garbage", value: Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f]), headers: { ...protobuf, "x-origin": "fuzzer" } },
    DeadLetterReason.UNDECODABLE,
  ],
  "p-bad-json": [
    { key: "p-bad-json", value: Buffer.from('{"documentId": "x", '), headers: { "Content-Type": "application/json" } },
    DeadLetterReason.UNDECODABLE,
  ],
  "p-json-unknown-field": [
    { key: "p-json-unknown-field", value: Buffer.from('{"documentId":"x","colour":"red"}'), headers: { "content-type": "application/json" } },
    DeadLetterReason.UNDECODABLE,
  ],
  "p-tombstone": [{ key: "p-tombstone", value: null }, DeadLetterReason.UNDECODABLE],
  "p-no-id": [{ key: "p-no-id", value: event({ documentId: "" }, utf8("Balance $1.00")), headers: protobuf }, DeadLetterReason.MISSING_FIELD],
  "p-no-kind": [
    { key: "p-no-kind", value: event({ documentId: "p-no-kind", kind: DocumentKind.UNSPECIFIED }, utf8("Balance $1.00")), headers: protobuf },
    DeadLetterReason.MISSING_FIELD,
  ],
  "p-no-text": [{ key: "p-no-text", value: event({ documentId: "p-no-text" }), headers: protobuf }, DeadLetterReason.MISSING_FIELD],
  "p-empty": [{ key: "p-empty", value: event({ documentId: "p-empty" }, utf8("")), headers: protobuf }, DeadLetterReason.EMPTY_TEXT],
  "p-blank": [{ key: "p-blank", value: event({ documentId: "p-blank" }, utf8("  \n\t  ")), headers: protobuf }, DeadLetterReason.EMPTY_TEXT],
  "p-large": [
    { key: "p-large", value: event({ documentId: "p-large" }, utf8("Balance $1.00 ".repeat(300))), headers: protobuf },
    DeadLetterReason.TEXT_TOO_LARGE,
  ],
  "p-latin1": [
    { key: "p-latin1", value: event({ documentId: "p-latin1" }, Uint8Array.from([0x42, 0x61, 0x6c, 0xe9, 0x28, 0x31])), headers: protobuf },
    DeadLetterReason.INVALID_UTF8,
  ],
  "p-csv": [{ key: "p-csv", value: Buffer.from("a,b,c"), headers: { "content-type": "text/csv" } }, DeadLetterReason.UNSUPPORTED_CONTENT_TYPE],
  "p-html-body": [
    { key: "p-html-body", value: event({ documentId: "p-html-body", contentType: "text/html" }, utf8("<p>Balance</p>")), headers: protobuf },
    DeadLetterReason.UNSUPPORTED_CONTENT_TYPE,
  ],
  "p-reference": [
    {
      key: "p-reference",
      value: event({ documentId: "p-reference", content: { case: "reference", value: { uri: "s3://bucket/doc", sha256: "00", sizeBytes: 10n } } }),
      headers: protobuf,
    },
    DeadLetterReason.UNRESOLVABLE_REFERENCE,
  ],
  [rejected.id]: [encodeEvent(rejected), DeadLetterReason.INFERENCE_REJECTED],
};

before(async () => {
  ctx = await workerTestContext();
  sidecar = await FakeInferenceSidecarProcess.start({
    labels: exampleLabels,
    answers: { [rejected.id]: { code: grpc.status.INVALID_ARGUMENT } },
  });
});

after(async () => {
  await worker?.stop();
  await sidecar?.stop();
  await ctx?.cleanup();
  await telemetry.shutdown();
});

test("each poison message is dead-lettered with its reason, original bytes and headers; every good one is recorded", async () => {
  // Interleave: good, poison, good, poison, …
  const bad = Object.values(poison).map(([message]) => message);
  const stream: RawMessage[] = [];
  for (let i = 0; i < Math.max(good.length, bad.length); i += 1) {
    if (good[i]) stream.push(encodeEvent(good[i]!));
    if (bad[i]) stream.push(bad[i]!);
  }
  await produce(ctx.topics.documents, stream);
  worker = await startWorker(ctx.config({ INFERENCE_ADDRESS: sidecar.address, MAX_DOCUMENT_BYTES: "2000" }));

  await waitFor("good records", async () => (await count(ctx.db.adminUrl, "liability_records")) === good.length);
  const letters = await readTopic(ctx.topics.dlq, bad.length);
  assert.equal(letters.length, bad.length, "one dead letter per poison message, no more");

  const byKey = new Map(letters.map((m) => [m.key!.toString(), m]));
  for (const [key, [original, reason]] of Object.entries(poison)) {
    const message = byKey.get(key);
    assert.ok(message, `dead letter for ${key}`);
    const letter = fromBinary(DeadLetterSchema, message.value!);
    assert.equal(DeadLetterReason[letter.reason], DeadLetterReason[reason], key);
    assert.equal(letter.originalTopic, ctx.topics.documents);
    assert.deepEqual(Buffer.from(letter.originalValue), original.value ?? Buffer.alloc(0), `${key}: original bytes`);
    for (const [name, value] of Object.entries(original.headers ?? {})) {
      const kept = letter.originalHeaders.find((h) => h.key === name);
      assert.equal(Buffer.from(kept?.value ?? []).toString(), String(value), `${key}: header ${name} kept as sent`);
    }
    assert.ok(letter.errorDetail.length > 0);
    assert.equal(message.headers!["dead-letter-reason"]!.toString(), DeadLetterReason[reason]);
  }
  assert.equal(fromBinary(DeadLetterSchema, byKey.get(rejected.id)!.value!).documentId, rejected.id);

  // Good documents are all there, and no poison produced a record.
  const ids = (await query<{ document_id: string }>(ctx.db.adminUrl, "SELECT document_id FROM liability_records")).map((r) => r.document_id);
  assert.deepEqual(ids.sort(), good.map((d) => d.id).sort());
  // Poison with a known document id is in the attempt audit.
  assert.equal(await count(ctx.db.adminUrl, "extraction_attempts", `document_id = '${rejected.id}' AND outcome = 'dead_lettered'`), 1);

  const metrics = await telemetry.metrics();
  assert.equal(counterValue(metrics, "lre.worker.documents.dead_lettered"), bad.length);
  assert.equal(counterValue(metrics, "lre.worker.documents.dead_lettered", { reason: "EMPTY_TEXT" }), 2);
});
