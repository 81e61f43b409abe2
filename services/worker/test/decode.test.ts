import { test } from "node:test";
import assert from "node:assert/strict";
import { create, toBinary, toJsonString } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { DeadLetterReason, DocumentKind, DocumentReceivedSchema } from "@liability/contracts";
import { decodeDocumentReceived } from "../src/core/decode.ts";
import type { InboundMessage } from "../src/core/messaging.ts";

const limits = { maxTextBytes: 100 };

function message(value: Buffer | null, headers: Record<string, string> = {}): InboundMessage {
  const h: Record<string, Buffer> = {};
  for (const [k, v] of Object.entries(headers)) h[k.toLowerCase()] = Buffer.from(v);
  return {
    topic: "docs",
    partition: 0,
    offset: "7",
    key: null,
    value,
    headers: h,
    originalHeaders: Object.entries(headers).map(([key, v]) => ({ key, value: Buffer.from(v) })),
    timestamp: 1_000,
  };
}

function event(fields: Record<string, unknown> = {}) {
  return create(DocumentReceivedSchema, {
    documentId: "doc-1",
    tenantId: "t",
    kind: DocumentKind.STATEMENT,
    receivedAt: timestampFromMs(5_000),
    contentType: "text/plain; charset=utf-8",
    content: { case: "text", value: new TextEncoder().encode("Balance $1.00") },
    ...fields,
  });
}

const binary = (fields: Record<string, unknown> = {}) => Buffer.from(toBinary(DocumentReceivedSchema, event(fields)));

test("protobuf by default, protobuf JSON when the content-type header says so", () => {
  const a = decodeDocumentReceived(message(binary()), limits);
  assert.ok(a.ok);
  assert.equal(a.text, "Balance $1.00");
  assert.equal(a.receivedAtMs, 5_000);
  const b = decodeDocumentReceived(
    message(Buffer.from(toJsonString(DocumentReceivedSchema, event())), { "Content-Type": "application/json; charset=utf-8" }),
    limits,
  );
  assert.ok(b.ok);
  assert.equal(b.documentId, "doc-1");
  assert.equal(b.kind, "statement");
});

test("the Kafka timestamp stands in for a missing received_at", () => {
  const r = decodeDocumentReceived(message(binary({ receivedAt: undefined })), limits);
  assert.ok(r.ok);
  assert.equal(r.receivedAtMs, 1_000);
});

test("a received_at outside what a date can hold falls back to the Kafka timestamp", () => {
  for (const seconds of [9_000_000_000_000n, -62_135_596_900n, 253_402_300_800n]) {
    const r = decodeDocumentReceived(message(binary({ receivedAt: { seconds, nanos: 0 } })), limits);
    assert.ok(r.ok);
    assert.equal(r.receivedAtMs, 1_000, `seconds ${seconds}`);
  }
  const inRange = decodeDocumentReceived(message(binary({ receivedAt: { seconds: 1_700_000_000n, nanos: 0 } })), limits);
  assert.ok(inRange.ok);
  assert.equal(inRange.receivedAtMs, 1_700_000_000_000);
});

const reasonOf = (m: InboundMessage) => {
  const r = decodeDocumentReceived(m, limits);
  return r.ok ? "ok" : DeadLetterReason[r.reason];
};

test("each kind of bad input has its reason code, and none throws", () => {
  const utf8 = (s: string) => new TextEncoder().encode(s);
  assert.equal(reasonOf(message(null)), "UNDECODABLE");
  assert.equal(reasonOf(message(Buffer.from([0xff, 0xff, 0xff]))), "UNDECODABLE");
  assert.equal(reasonOf(message(Buffer.from("{nope"), { "content-type": "application/json" })), "UNDECODABLE");
  assert.equal(reasonOf(message(Buffer.from([0x7b, 0xff]), { "content-type": "application/json" })), "UNDECODABLE");
  assert.equal(reasonOf(message(binary(), { "content-type": "application/xml" })), "UNSUPPORTED_CONTENT_TYPE");
  assert.equal(reasonOf(message(binary({ documentId: " " }))), "MISSING_FIELD");
  assert.equal(reasonOf(message(binary({ documentId: "x".repeat(300) }))), "MISSING_FIELD");
  // A tenant id of a few KB would outgrow the tenant index: refused here, not by PostgreSQL.
  assert.equal(reasonOf(message(binary({ tenantId: "t".repeat(3000) }))), "MISSING_FIELD");
  assert.equal(reasonOf(message(binary({ tenantId: "tenant\u0000a" }))), "MISSING_FIELD");
  assert.equal(reasonOf(message(binary({ tenantId: "" }))), "MISSING_FIELD");
  assert.equal(reasonOf(message(binary({ kind: DocumentKind.UNSPECIFIED }))), "MISSING_FIELD");
  assert.equal(reasonOf(message(binary({ content: { case: undefined } }))), "MISSING_FIELD");
  assert.equal(reasonOf(message(binary({ contentType: "application/pdf" }))), "UNSUPPORTED_CONTENT_TYPE");
  assert.equal(reasonOf(message(binary({ contentType: "text/plain; charset=iso-8859-1" }))), "UNSUPPORTED_CONTENT_TYPE");
  assert.equal(reasonOf(message(binary({ content: { case: "reference", value: { uri: "s3://x" } } }))), "UNRESOLVABLE_REFERENCE");
  assert.equal(reasonOf(message(binary({ content: { case: "text", value: utf8(" \n\t ") } }))), "EMPTY_TEXT");
  assert.equal(reasonOf(message(binary({ content: { case: "text", value: utf8("x".repeat(101)) } }))), "TEXT_TOO_LARGE");
  assert.equal(reasonOf(message(binary({ content: { case: "text", value: Uint8Array.from([0x61, 0xc3, 0x28]) } }))), "INVALID_UTF8");
  // An empty content-type on the event itself means "not stated", which is fine.
  assert.equal(reasonOf(message(binary({ contentType: "" }))), "ok");
});

test("details are safe to log: they never contain the document text", () => {
  const secret = `ACCOUNT 4402 9913 8860 balance $9,999.99 ${"y".repeat(100)}`;
  const r = decodeDocumentReceived(message(binary({ content: { case: "text", value: new TextEncoder().encode(secret) } })), limits);
  assert.ok(!r.ok);
  assert.ok(!r.detail.includes("4402"));
  assert.ok(!r.detail.includes("9,999"));
});

test("a source system may write only for the tenants its allow-list names", () => {
  const tenants = new Map<string, ReadonlySet<string> | "any">([
    ["lender-portal", new Set(["t"])],
    ["batch-import", "any"],
  ]);
  const decode = (fields: Record<string, unknown>) => decodeDocumentReceived(message(binary(fields)), { ...limits, tenants });
  assert.ok(decode({ sourceSystem: "lender-portal" }).ok);
  assert.ok(decode({ sourceSystem: "batch-import", tenantId: "someone-else" }).ok);
  const other = decode({ sourceSystem: "lender-portal", tenantId: "someone-else" });
  assert.ok(!other.ok);
  assert.equal(other.reason, DeadLetterReason.TENANT_NOT_ALLOWED);
  assert.match(other.detail, /"lender-portal" may not write for tenant "someone-else"/);
  const unknown = decode({ sourceSystem: "side-door" });
  assert.ok(!unknown.ok);
  assert.equal(unknown.reason, DeadLetterReason.TENANT_NOT_ALLOWED);
  // Without an allow-list (local development) anything goes.
  assert.ok(decodeDocumentReceived(message(binary({ sourceSystem: "side-door", tenantId: "x" })), limits).ok);
});
