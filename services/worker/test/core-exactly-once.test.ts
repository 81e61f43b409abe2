// Exactly-once in effect, decided by the core: a redelivered or repeated event writes nothing
// twice, and work a dependency left unfinished is never committed, so that its redelivery
// finishes it. Over in-memory fakes of the core's ports.
import assert from "node:assert/strict";
import { test } from "node:test";
import { fromBinary } from "@bufbuild/protobuf";
import { DeadLetterReason, DeadLetterSchema } from "@liability/contracts";
import type { ExtractOutcome } from "../src/core/ports.ts";
import {
  batchContext,
  documentMessage,
  InMemoryStore,
  perfectModel,
  processorOver,
  rawMessage,
  STATEMENT,
  RecordingProducer,
  ScriptedExtractor,
} from "./support/core-fakes.ts";

const sidecarDown: ExtractOutcome = { kind: "unavailable", code: "UNAVAILABLE", attempts: [{ attempt: 1, latencyMs: 1, errorCode: "UNAVAILABLE" }] };

test("a redelivered event costs no inference and writes nothing a second time", async () => {
  const { store, extractor, handle } = processorOver();
  const event = documentMessage("doc-1", 5);
  await handle([event]);
  const again = await handle([event]);

  assert.deepEqual(again, { processedThrough: "5", pause: false }, "the redelivery is handled and committed");
  assert.deepEqual(extractor.requests, ["doc-1"]);
  assert.equal(store.records.size, 1);
  assert.equal(store.outbox.length, 1);
  assert.equal(store.attempts.length, 1, "not even an audit row for the duplicate");
});

test("the same document twice in one batch is extracted and recorded once", async () => {
  const { store, extractor, handle } = processorOver();
  const result = await handle([documentMessage("doc-1", 0), documentMessage("doc-1", 1)]);

  assert.equal(result.processedThrough, "1");
  assert.deepEqual(extractor.requests, ["doc-1"]);
  assert.equal(store.outbox.length, 1);
  assert.equal(store.record("doc-1")?.kafkaOffset, "0", "the first occurrence is the one recorded");
});

test("a document another worker records while this one extracts it gets no second record or event", async () => {
  const store = new InMemoryStore();
  const rival = processorOver({ store });
  // The rival worker records the document between this worker's check and its write.
  const extractor = new ScriptedExtractor(async (request, signal) => {
    await rival.handle([documentMessage(request.documentId, 99)]);
    return perfectModel(request, signal);
  });
  const { handle } = processorOver({ store, extractor });
  const result = await handle([documentMessage("doc-1", 3)]);

  assert.equal(result.processedThrough, "3");
  assert.equal(store.record("doc-1")?.kafkaOffset, "99");
  assert.equal(store.outbox.length, 1);
});

test("a sidecar outage commits only what came before it; the redelivery records the rest once", async () => {
  const extractor = new ScriptedExtractor((request, signal) => (request.documentId === "doc-2" ? sidecarDown : perfectModel(request, signal)));
  const { store, down, handle } = processorOver({ extractor });
  const batch = [documentMessage("doc-1", 1), documentMessage("doc-2", 2), documentMessage("doc-3", 3)];
  const result = await handle(batch);

  assert.deepEqual(result, { processedThrough: "1", pause: true }, "nothing from the first unfinished document on is committed");
  assert.deepEqual(down, ["inference"]);
  assert.deepEqual(store.documentIds(), ["doc-1"], "a document after the outage is not recorded out of order");
  assert.deepEqual(
    store.attempts.filter((a) => a.documentId === "doc-2").map((a) => [a.outcome, a.errorCode]),
    [["retry", "UNAVAILABLE"]],
  );

  extractor.script = perfectModel;
  const redelivered = await handle(batch.slice(1));
  assert.deepEqual(redelivered, { processedThrough: "3", pause: false });
  assert.deepEqual(store.documentIds().sort(), ["doc-1", "doc-2", "doc-3"]);
  assert.equal(store.outbox.length, 3, "one event per document, none twice");
});

test("a database that is down before processing costs no inference and commits nothing", async () => {
  const { store, extractor, down, handle } = processorOver();
  store.down = true;
  assert.deepEqual(await handle([documentMessage("doc-1", 1)]), { processedThrough: null, pause: true });
  assert.deepEqual(down, ["database"]);
  assert.equal(extractor.requests.length, 0);
});

test("a failed database write commits nothing and publishes no dead letter; the redelivery writes once", async () => {
  const { store, producer, down, handle, commits } = processorOver();
  const batch = [documentMessage("doc-1", 1), rawMessage(Buffer.from([0xff]), 2)];
  store.writesFail = true;
  assert.deepEqual(await handle(batch), { processedThrough: null, pause: true });
  assert.deepEqual(down, ["database"]);
  assert.equal(producer.sent.length, 0, "dead letters go out only after the write");
  assert.equal(commits(), 0);

  store.writesFail = false;
  assert.deepEqual(await handle(batch), { processedThrough: "2", pause: false });
  assert.equal(store.records.size, 1);
  assert.equal(store.outbox.length, 1);
  assert.equal(producer.sent.length, 1);
});

test("a failed dead-letter publish commits nothing; the redelivery sends the letter again without a second record", async () => {
  const producer = new RecordingProducer();
  const { store, down, handle } = processorOver({ producer });
  const batch = [documentMessage("doc-1", 1), rawMessage(Buffer.from([0xff]), 2)];
  producer.down = true;
  assert.deepEqual(await handle(batch), { processedThrough: null, pause: true });
  assert.deepEqual(down, ["kafka"]);
  assert.equal(store.records.size, 1, "the written record stays written");

  producer.down = false;
  assert.deepEqual(await handle(batch), { processedThrough: "2", pause: false });
  assert.equal(store.records.size, 1);
  assert.equal(store.outbox.length, 1);
  assert.equal(producer.sent.length, 1);
  assert.equal(fromBinary(DeadLetterSchema, producer.sent[0]!.message.value).originalOffset, 2n);
});

test("a shutdown abandons unfinished work uncommitted, without asking for a pause", async () => {
  const stopping = new AbortController();
  const extractor = new ScriptedExtractor((request, signal) => {
    if (request.documentId === "doc-1") return perfectModel(request, signal);
    stopping.abort();
    return { kind: "aborted", attempts: [] };
  });
  const { store, down, handle } = processorOver({ extractor });
  const result = await handle([documentMessage("doc-1", 1), documentMessage("doc-2", 2)], batchContext(stopping.signal));

  assert.deepEqual(result, { processedThrough: "1", pause: false });
  assert.deepEqual(down, []);
  assert.deepEqual(store.documentIds(), ["doc-1"]);
});

test("a row the database refuses as data is dead-lettered with the SQLSTATE; the rest of the batch is written and committed", async () => {
  const store = new InMemoryStore();
  store.refuses = (row) => (row.documentId === "doc-bad" ? "23514" : undefined);
  const { producer, down, handle } = processorOver({ store });
  const result = await handle([documentMessage("doc-a", 1), documentMessage("doc-bad", 2), documentMessage("doc-c", 3)]);

  assert.deepEqual(result, { processedThrough: "3", pause: false }, "the partition moves on");
  assert.deepEqual(down, [], "a data error is no outage");
  assert.deepEqual(store.documentIds().sort(), ["doc-a", "doc-c"]);
  assert.equal(producer.sent.length, 1);
  const letter = fromBinary(DeadLetterSchema, producer.sent[0]!.message.value);
  assert.equal(letter.reason, DeadLetterReason.REJECTED_BY_DATABASE);
  assert.equal(letter.documentId, "doc-bad");
  assert.equal(letter.errorDetail, "database refused the record: SQLSTATE 23514");
  assert.deepEqual(
    store.attempts.filter((a) => a.documentId === "doc-bad").map((a) => a.outcome),
    ["dead_lettered"],
  );
});

test("a database outage while the refused rows are looked for commits nothing and pauses", async () => {
  const store = new InMemoryStore();
  store.refuses = () => "22003";
  store.rejectedRecords = async () => {
    throw new Error("connection terminated");
  };
  const { producer, down, handle } = processorOver({ store });
  const result = await handle([documentMessage("doc-a", 1)]);

  assert.deepEqual(result, { processedThrough: null, pause: true });
  assert.deepEqual(down, ["database"]);
  assert.equal(producer.sent.length, 0);
});

test("two tenants may use the same document id: each gets its record and its event", async () => {
  const { store, handle } = processorOver();
  const result = await handle([documentMessage("shared-id", 1), documentMessage("shared-id", 2, STATEMENT, "tenant-2")]);

  assert.deepEqual(result, { processedThrough: "2", pause: false });
  assert.ok(store.record("shared-id"));
  assert.ok(store.record("shared-id", "tenant-2"));
  assert.equal(store.outbox.length, 2);
});

test("a resend of a recorded document with other text is dead-lettered as a conflict, and the first record stands", async () => {
  const { store, producer, extractor, handle } = processorOver();
  await handle([documentMessage("doc-1", 1)]);
  const result = await handle([documentMessage("doc-1", 2, `${STATEMENT}\nAmended`)]);

  assert.deepEqual(result, { processedThrough: "2", pause: false });
  assert.deepEqual(extractor.requests, ["doc-1"], "no inference for the conflicting copy");
  assert.equal(store.record("doc-1")?.kafkaOffset, "1");
  const letter = fromBinary(DeadLetterSchema, producer.sent[0]!.message.value);
  assert.equal(letter.reason, DeadLetterReason.CONFLICTING_RESEND);
  assert.equal(letter.originalOffset, 2n);
});

test("a copy of a document whose first copy in the batch was refused is dead-lettered too, not dropped as a duplicate", async () => {
  const extractor = new ScriptedExtractor(() => ({
    kind: "rejected",
    code: "INVALID_ARGUMENT",
    attempts: [{ attempt: 1, latencyMs: 1, errorCode: "INVALID_ARGUMENT" }],
  }));
  const { store, producer, handle } = processorOver({ extractor });
  const result = await handle([documentMessage("doc-1", 1), documentMessage("doc-1", 2)]);

  assert.deepEqual(result, { processedThrough: "2", pause: false });
  assert.equal(store.records.size, 0);
  assert.deepEqual(
    producer.sent.map((s) => fromBinary(DeadLetterSchema, s.message.value).originalOffset),
    [1n, 2n],
    "each copy has its dead letter",
  );
});

/** Two calls that ran out of time, as the inference client reports a document the sidecar never finishes. */
const timedOut = async (): Promise<ExtractOutcome> => {
  await new Promise((r) => setTimeout(r, 10));
  return {
    kind: "unavailable",
    code: "DEADLINE_EXCEEDED",
    attempts: [
      { attempt: 1, latencyMs: 30_000, errorCode: "DEADLINE_EXCEEDED" },
      { attempt: 2, latencyMs: 30_000, errorCode: "DEADLINE_EXCEEDED" },
    ],
  };
};

test("a document that times out while the sidecar answers others is dead-lettered after its limit, and the partition moves on", async () => {
  const extractor = new ScriptedExtractor((request, signal) => (request.documentId === "slow" ? timedOut() : perfectModel(request, signal)));
  const { store, producer, down, handle } = processorOver({ extractor });
  const batch = [documentMessage("doc-1", 1), documentMessage("slow", 2), documentMessage("doc-3", 3)];

  const first = await handle(batch);
  assert.deepEqual(first, { processedThrough: "1", pause: true }, "below the limit (2 of 4 calls) it is an outage like any other");
  assert.deepEqual(down, ["inference"]);

  const second = await handle(batch.slice(1));
  assert.deepEqual(second, { processedThrough: "3", pause: false });
  assert.deepEqual(store.documentIds().sort(), ["doc-1", "doc-3"]);
  const [letter] = producer.sent.filter((s) => s.topic === "docs.dlq").map((s) => fromBinary(DeadLetterSchema, s.message.value));
  assert.equal(letter?.reason, DeadLetterReason.INFERENCE_TIMED_OUT);
  assert.match(letter?.errorDetail ?? "", /4 times/);
  assert.deepEqual(
    store.attempts.filter((a) => a.documentId === "slow").map((a) => a.outcome),
    ["retry", "retry", "retry", "dead_lettered"],
    "every call is in the audit",
  );
});

test("when the sidecar answers nobody, a timing-out document is never dead-lettered, however often it times out", async () => {
  const extractor = new ScriptedExtractor(timedOut);
  const { store, producer, handle } = processorOver({ extractor });
  for (let round = 0; round < 4; round++) {
    assert.deepEqual(await handle([documentMessage("slow", 1)]), { processedThrough: null, pause: true });
  }
  assert.equal(store.attempts.length, 8);
  assert.equal(producer.sent.length, 0);
});
