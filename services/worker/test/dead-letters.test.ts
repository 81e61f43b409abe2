// The dead-letter CLI's pure parts: reading a letter the worker wrote, the replayed event (original
// bytes and headers, one marker), argument parsing and configuration. Kafka and PostgreSQL are in
// test/worker/dead-letter-replay.test.ts.
import assert from "node:assert/strict";
import { test } from "node:test";
import { create, toBinary } from "@bufbuild/protobuf";
import { DeadLetterReason, DocumentKind, DocumentReceivedSchema } from "@liability/contracts";
import { ConfigError } from "@liability/platform";
import { encodeDeadLetter } from "../src/core/events.ts";
import type { InboundMessage } from "../src/core/messaging.ts";
import { loadDeadLetterCliConfig } from "../src/dead-letters/config.ts";
import { DeadLetterCliError } from "../src/dead-letters/errors.ts";
import { matches, parseCoordinates, parseReason, readLetter, replayMessage } from "../src/dead-letters/letters.ts";

const TEXT = "Statement of account 4111222233334444, balance $1,234.56";

function original(headers: { key: string; value: Buffer }[]): InboundMessage {
  const value = Buffer.from(
    toBinary(
      DocumentReceivedSchema,
      create(DocumentReceivedSchema, {
        documentId: "doc-7",
        tenantId: "tenant-a",
        sourceSystem: "portal",
        kind: DocumentKind.STATEMENT,
        contentType: "text/plain; charset=utf-8",
        content: { case: "text", value: new TextEncoder().encode(TEXT) },
      }),
    ),
  );
  return {
    topic: "documents.received.v1",
    partition: 1,
    offset: "40",
    key: Buffer.from("doc-7"),
    value,
    headers: {},
    originalHeaders: headers,
    timestamp: 1_000,
  };
}

function letterOf(message: InboundMessage, reason = DeadLetterReason.TENANT_NOT_ALLOWED) {
  const value = Buffer.from(
    encodeDeadLetter({
      message,
      reason,
      detail: "portal may not write for tenant-a",
      documentId: "doc-7",
      attempts: 1,
      firstFailureMs: 5_000,
      lastFailureMs: 6_000,
    }),
  );
  return readLetter({
    partition: 2,
    offset: "17",
    key: message.key,
    value,
    headers: [{ key: "dead-letter-reason", value: Buffer.from("X") }],
    timestamp: 7_000,
  });
}

test("a letter reads back as the worker wrote it: reason, detail, original coordinates and headers, the document's identity", () => {
  const headers = [
    { key: "content-type", value: Buffer.from("application/x-protobuf") },
    { key: "traceparent", value: Buffer.from("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01") },
  ];
  const message = original(headers);
  const letter = letterOf(message);
  assert.equal(letter.reason, "TENANT_NOT_ALLOWED");
  assert.equal(letter.detail, "portal may not write for tenant-a");
  assert.equal(letter.atMs, 6_000);
  assert.deepEqual(
    { ...letter.original, value: undefined },
    { topic: "documents.received.v1", partition: 1, offset: "40", key: Buffer.from("doc-7"), value: undefined, headers },
  );
  assert.deepEqual(letter.original.value, message.value);
  assert.deepEqual(letter.document, { tenantId: "tenant-a", documentId: "doc-7", sourceSystem: "portal", textBytes: Buffer.byteLength(TEXT) });
  assert.equal(letter.replayOf, null);
  assert.ok(!JSON.stringify(letter.document).includes("4111"), "the summary holds no text");
});

test("an undecodable original still reads as a letter, without a document", () => {
  const message = { ...original([]), value: Buffer.from([0xff, 0xff, 0x0f]) };
  const letter = letterOf(message, DeadLetterReason.UNDECODABLE);
  assert.equal(letter.reason, "UNDECODABLE");
  assert.equal(letter.document, null);
});

test("a message that is not a dead letter is refused by name", () => {
  assert.throws(
    () => readLetter({ partition: 0, offset: "3", key: null, value: Buffer.from([0xff, 0xff, 0xff]), headers: [], timestamp: 0 }),
    (e: unknown) => e instanceof DeadLetterCliError && e.code === "not_found" && /0:3 is not a dead letter/.test(e.message),
  );
});

test("the replayed event is the original key, bytes and headers in order (repeats kept), plus one marker", () => {
  const headers = [
    { key: "content-type", value: Buffer.from("application/x-protobuf") },
    { key: "x-tag", value: Buffer.from("a") },
    { key: "x-replay-of", value: Buffer.from("documents.dlq.v1/0/1") },
    { key: "x-tag", value: Buffer.from("b") },
  ];
  const letter = letterOf(original(headers));
  assert.equal(letter.replayOf, "documents.dlq.v1/0/1", "a letter of a replayed event says so");
  const message = replayMessage(letter, { dlqTopic: "documents.dlq.v1", replayId: "12", replayedAtMs: Date.parse("2026-12-04T03:00:00Z") });
  assert.deepEqual(message.key, Buffer.from("doc-7"));
  assert.deepEqual(message.value, letter.original.value);
  assert.deepEqual(
    message.originalHeaders.map((h) => `${h.key}=${h.value}`),
    ["content-type=application/x-protobuf", "x-tag=a", "x-tag=b"],
    "the earlier marker is replaced, everything else kept as sent",
  );
  assert.deepEqual(message.headers, { "x-replay-of": "documents.dlq.v1/2/17", "x-replayed-at": "2026-12-04T03:00:00.000Z", "x-replay-id": "12" });
});

test("coordinates, reasons and times are parsed strictly, with usage errors", () => {
  assert.deepEqual(parseCoordinates("3:1207"), { partition: 3, offset: "1207" });
  assert.deepEqual(parseCoordinates(" 0:9223372036854775807 "), { partition: 0, offset: "9223372036854775807" });
  for (const bad of ["3", "3:", ":4", "a:1", "-1:2", "1:2:3"]) {
    assert.throws(
      () => parseCoordinates(bad),
      (e: unknown) => e instanceof DeadLetterCliError && e.code === "usage",
      bad,
    );
  }
  assert.equal(parseReason("empty_text"), "EMPTY_TEXT");
  assert.equal(parseReason("DEAD_LETTER_REASON_TEXT_TOO_LARGE"), "TEXT_TOO_LARGE");
  assert.throws(() => parseReason("UNSPECIFIED"), /unknown reason "UNSPECIFIED"; one of UNDECODABLE, /);
});

test("filters by reason and time", () => {
  const letter = letterOf(original([]));
  assert.ok(matches(letter, {}));
  assert.ok(matches(letter, { reason: "TENANT_NOT_ALLOWED", sinceMs: 6_000 }));
  assert.ok(!matches(letter, { reason: "EMPTY_TEXT" }));
  assert.ok(!matches(letter, { sinceMs: 6_001 }));
});

test("configuration: the worker's topic names, checked once; a DLQ that is the documents topic is refused", () => {
  const config = loadDeadLetterCliConfig({ KAFKA_TOPIC_DLQ: "dlq", DATABASE_SCHEMA: "t_1" });
  assert.equal(config.KAFKA_TOPIC_DOCUMENTS, "documents.received.v1");
  assert.equal(config.KAFKA_TOPIC_DLQ, "dlq");
  assert.throws(
    () => loadDeadLetterCliConfig({ KAFKA_TOPIC_DLQ: "same", KAFKA_TOPIC_DOCUMENTS: "same" }),
    (e: unknown) => e instanceof ConfigError && e.issues.some((i) => i.startsWith("KAFKA_TOPIC_DLQ:")),
  );
  assert.throws(() => loadDeadLetterCliConfig({ DATABASE_SCHEMA: "Bad-Schema" }), ConfigError);
});
