// Where the core sends each document: a trusted answer to a record and its event, an
// untrusted one to review, a malformed event or a refused document to the dead letters,
// each with its reason, audit rows and metrics. Over in-memory fakes of the core's ports.
import assert from "node:assert/strict";
import { test } from "node:test";
import { fromBinary } from "@bufbuild/protobuf";
import { DeadLetterReason, DeadLetterSchema, LiabilityRecordedSchema, RecordStatus } from "@liability/contracts";
import { canonicalRecordJson, DEFAULT_VALIDATION_POLICY } from "@liability/domain";
import type { ValidationPolicy } from "@liability/domain";
import { attemptRows, committablePrefix } from "../src/core/batch.ts";
import { decodeDocumentReceived } from "../src/core/decode.ts";
import type { DecodedDocument } from "../src/core/decode.ts";
import { measurementsOf } from "../src/core/measurements.ts";
import { documentKeysToCheck, repeatOutcome, triage } from "../src/core/outcome.ts";
import type { Outcome } from "../src/core/outcome.ts";
import { keyOf } from "../src/core/ports.ts";
import { validateAnswer } from "../src/core/validation.ts";
import {
  answered,
  documentMessage,
  modelResponse,
  processorOver,
  rawMessage,
  ScriptedExtractor,
  STATEMENT,
  STATEMENT_RECORD,
  TENANT,
  TOPICS,
} from "./support/core-fakes.ts";

test("a trusted answer becomes an accepted record and one LiabilityRecorded event, audited as accepted", async () => {
  const { store, producer, handle, commits } = processorOver();
  const result = await handle([documentMessage("doc-1", 10)]);

  assert.deepEqual(result, { processedThrough: "10", pause: false });
  const row = store.record("doc-1");
  assert.equal(row?.status, "accepted");
  assert.deepEqual(row?.record, STATEMENT_RECORD);
  assert.equal(row?.rawModelOutput, null, "an accepted record keeps no second copy of the model output");
  assert.equal(row?.kafkaOffset, "10");
  assert.equal(store.reviews.size, 0);

  assert.equal(store.outbox.length, 1);
  const event = fromBinary(LiabilityRecordedSchema, store.outbox[0]!.payload);
  assert.equal(store.outbox[0]!.topic, TOPICS.recorded);
  assert.equal(event.status, RecordStatus.ACCEPTED);
  assert.equal(event.record?.lenderName, "Northgate Savings Bank");
  assert.equal(store.outbox[0]!.headers["record-status"], "accepted");
  assert.equal(store.outbox[0]!.headers["document-id"], "doc-1");

  assert.deepEqual(
    store.attempts.map((a) => [a.documentId, a.outcome, a.modelVersion]),
    [["doc-1", "accepted", "v-test"]],
  );
  assert.equal(producer.sent.length, 0, "no dead letters");
  assert.equal(commits(), 1, "the relay is woken for the new outbox row");
});

test("an untrusted answer goes to review with its reasons and the raw output, never in as accepted", async () => {
  const extractor = new ScriptedExtractor(() => answered("Sure! The balance is $214,905.12."));
  const { store, handle } = processorOver({ extractor });
  await handle([documentMessage("doc-r", 3)]);

  const row = store.record("doc-r");
  assert.equal(row?.status, "review");
  assert.equal(row?.record, null);
  assert.equal(row?.rawModelOutput, "Sure! The balance is $214,905.12.");
  assert.ok(store.reviews.has(keyOf({ tenantId: TENANT, documentId: "doc-r" })));
  assert.deepEqual(
    row?.reviewReasons.map((r) => r.code),
    ["schema.unparseable"],
  );
  const event = fromBinary(LiabilityRecordedSchema, store.outbox[0]!.payload);
  assert.equal(event.status, RecordStatus.REVIEW);
  assert.deepEqual(event.reviewReasons, ["schema.unparseable"]);
  assert.equal(store.attempts[0]!.outcome, "review");
});

test("a sidecar error that persisted through the retries sends the document to review as inference.failed", async () => {
  const extractor = new ScriptedExtractor(() => ({
    kind: "failed",
    code: "INTERNAL",
    attempts: [1, 2].map((attempt) => ({ attempt, latencyMs: 1, errorCode: "INTERNAL" })),
  }));
  const { store, handle } = processorOver({ extractor });
  const result = await handle([documentMessage("doc-f", 4)]);

  assert.equal(result.processedThrough, "4");
  const row = store.record("doc-f");
  assert.equal(row?.status, "review");
  assert.deepEqual(row?.reviewReasons, [{ code: "inference.failed", rule: "inference.failed", message: "sidecar answered INTERNAL" }]);
  assert.deepEqual(
    store.attempts.map((a) => a.outcome),
    ["retry", "failed"],
  );
});

test("a malformed event is dead-lettered with its reason and the original bytes; nothing is recorded", async () => {
  const { store, extractor, producer, handle } = processorOver();
  const bytes = Buffer.from([0xff, 0xff, 0xff, 0x0f]);
  const result = await handle([rawMessage(bytes, 7)]);

  assert.deepEqual(result, { processedThrough: "7", pause: false }, "a dead-lettered message is handled: its offset is committed");
  assert.equal(extractor.requests.length, 0);
  assert.equal(store.records.size, 0);
  assert.equal(producer.sent.length, 1);
  const { topic, message } = producer.sent[0]!;
  assert.equal(topic, TOPICS.dlq);
  assert.equal(message.headers["dead-letter-reason"], "UNDECODABLE");
  const letter = fromBinary(DeadLetterSchema, message.value);
  assert.equal(letter.reason, DeadLetterReason.UNDECODABLE);
  assert.equal(letter.errorDetail, "value is not a protobuf DocumentReceived");
  assert.deepEqual(Buffer.from(letter.originalValue), bytes);
  assert.equal(letter.originalOffset, 7n);
  assert.equal(store.attempts.length, 0, "no document id, so no audit row");
});

test("a poison event with a document id is audited once as dead_lettered", async () => {
  const { store, producer, handle } = processorOver();
  await handle([documentMessage("doc-empty", 2, "   ")]);

  assert.equal(fromBinary(DeadLetterSchema, producer.sent[0]!.message.value).reason, DeadLetterReason.EMPTY_TEXT);
  assert.deepEqual(
    store.attempts.map((a) => [a.documentId, a.attempt, a.outcome, a.errorCode]),
    [["doc-empty", 1, "dead_lettered", "EMPTY_TEXT"]],
  );
});

test("a document the sidecar refuses is dead-lettered as INFERENCE_REJECTED, after its attempt is audited", async () => {
  const extractor = new ScriptedExtractor(() => ({
    kind: "rejected",
    code: "INVALID_ARGUMENT",
    attempts: [{ attempt: 1, latencyMs: 2, errorCode: "INVALID_ARGUMENT" }],
  }));
  const { store, producer, handle } = processorOver({ extractor });
  await handle([documentMessage("doc-x", 1)]);

  const letter = fromBinary(DeadLetterSchema, producer.sent[0]!.message.value);
  assert.equal(letter.reason, DeadLetterReason.INFERENCE_REJECTED);
  assert.equal(letter.errorDetail, "sidecar answered INVALID_ARGUMENT");
  assert.equal(letter.documentId, "doc-x");
  assert.equal(store.records.size, 0);
  assert.deepEqual(
    store.attempts.map((a) => [a.outcome, a.errorCode]),
    [["dead_lettered", "INVALID_ARGUMENT"]],
  );
});

test("triage: poison first; a recorded document is a duplicate from the same text and a conflict from other text; a later copy repeats the first", () => {
  const limits = { maxTextBytes: 10_000 };
  const decoded = [
    decodeDocumentReceived(documentMessage("a", 0), limits),
    decodeDocumentReceived(rawMessage(Buffer.from("x"), 1), limits),
    decodeDocumentReceived(documentMessage("b", 2), limits),
    decodeDocumentReceived(documentMessage("a", 3), limits),
    decodeDocumentReceived(documentMessage("a", 4, `${STATEMENT}\nCorrected copy`), limits),
    decodeDocumentReceived(documentMessage("a", 5, STATEMENT, "tenant-2"), limits),
    decodeDocumentReceived(documentMessage("c", 6, "another text"), limits),
  ];
  assert.deepEqual(documentKeysToCheck(decoded).map(keyOf), [
    keyOf({ tenantId: TENANT, documentId: "a" }),
    keyOf({ tenantId: TENANT, documentId: "b" }),
    keyOf({ tenantId: "tenant-2", documentId: "a" }),
    keyOf({ tenantId: TENANT, documentId: "c" }),
  ]);
  const b = decoded[2]!;
  const recorded = new Map([
    [keyOf({ tenantId: TENANT, documentId: "b" }), b.ok ? b.contentSha256 : ""],
    [keyOf({ tenantId: TENANT, documentId: "c" }), "0".repeat(64)],
  ]);
  const triaged = triage(decoded, recorded);
  assert.deepEqual(
    triaged.map((t) => (t.type === "repeat" ? `repeat of ${t.of}` : t.type === "poison" ? DeadLetterReason[t.poison.reason] : t.type)),
    ["extract", "UNDECODABLE", "duplicate", "repeat of 0", "CONFLICTING_RESEND", "extract", "CONFLICTING_RESEND"],
  );
});

test("a repeated copy shares its first copy's fate, and is never a duplicate of something not recorded", () => {
  const poison: Outcome = { type: "poison", poison: { ok: false, reason: DeadLetterReason.INFERENCE_REJECTED, detail: "x", documentId: "a" }, attempts: [] };
  assert.equal(repeatOutcome(poison).type, "poison");
  assert.equal(repeatOutcome({ type: "pending", attempts: [] }).type, "pending");
  assert.equal(repeatOutcome(undefined).type, "pending");
  assert.equal(repeatOutcome({ type: "duplicate" }).type, "duplicate");
});

test("committablePrefix stops at the first unfinished message, whatever follows it", () => {
  const done: Outcome = { type: "duplicate" };
  const pending: Outcome = { type: "pending", attempts: [] };
  assert.equal(committablePrefix([done, done]), 2);
  assert.equal(committablePrefix([done, pending, done]), 1);
  assert.equal(committablePrefix([undefined, done]), 0);
});

test("attempts of a message left for redelivery are all audited as retries", () => {
  const decoded = decodeDocumentReceived(documentMessage("a", 0), { maxTextBytes: 1_000 }) as DecodedDocument;
  const outcome: Outcome = { type: "pending", attempts: [{ attempt: 1, latencyMs: 3, errorCode: "UNAVAILABLE" }] };
  assert.deepEqual(
    attemptRows({ decoded, outcome, traceId: "t1" }, false).map((r) => [r.outcome, r.errorCode, r.tenantId, r.traceId]),
    [["retry", "UNAVAILABLE", "tenant-1", "t1"]],
  );
});

test("metrics: an outcome counts once by outcome, review reasons by rule, latency for records only", async () => {
  const message = documentMessage("a", 0);
  const poison: Outcome = { type: "poison", poison: { ok: false, reason: DeadLetterReason.TEXT_TOO_LARGE, detail: "", documentId: "a" }, attempts: [] };
  assert.deepEqual(measurementsOf(poison, message, message.timestamp), [
    { type: "count", counter: "processed", attributes: { outcome: "dead_lettered" } },
    { type: "count", counter: "deadLettered", attributes: { reason: "TEXT_TOO_LARGE" } },
  ]);
  assert.deepEqual(measurementsOf({ type: "duplicate" }, message, 0), [{ type: "count", counter: "processed", attributes: { outcome: "duplicate" } }]);

  const { store, handle } = processorOver({ extractor: new ScriptedExtractor(() => answered("not json")) });
  await handle([message]);
  const review: Outcome = { type: "record", row: store.record("a")!, attempts: [], modelVersion: "", final: "review" };
  assert.deepEqual(measurementsOf(review, message, message.timestamp + 40), [
    { type: "count", counter: "processed", attributes: { outcome: "review" } },
    { type: "count", counter: "review" },
    { type: "count", counter: "reviewReasons", attributes: { reason: "schema.unparseable" } },
    { type: "endToEndLatency", ms: 40, attributes: { status: "review" } },
  ]);
});

test("a validation bug sends the document to review as validation.error instead of failing the batch", async () => {
  const broken: ValidationPolicy = {
    ...DEFAULT_VALIDATION_POLICY,
    get bounds(): never {
      throw new Error("a bug in validation");
    },
  };
  const decoded = decodeDocumentReceived(documentMessage("a", 0), { maxTextBytes: 100_000 }) as DecodedDocument;
  const verdict = validateAnswer(decoded, modelResponse(canonicalRecordJson(STATEMENT_RECORD)), broken);
  assert.equal(verdict.type, "raised");
  assert.equal(verdict.result.status, "review");
  assert.deepEqual(
    verdict.result.reasons.map((r) => r.rule),
    ["validation.error"],
  );
});
