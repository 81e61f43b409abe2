import { createHash } from "node:crypto";
import { fromBinary, fromJsonString } from "@bufbuild/protobuf";
import { timestampMs } from "@bufbuild/protobuf/wkt";
import { DeadLetterReason, DocumentReceivedSchema, kindFromProto } from "@liability/contracts";
import type { DocumentReceived } from "@liability/contracts";
import { headerValue } from "./messaging.ts";
import type { InboundMessage } from "./messaging.ts";

/** A DocumentReceived event that passed every input check. */
export interface DecodedDocument {
  readonly ok: true;
  readonly event: DocumentReceived;
  readonly documentId: string;
  readonly tenantId: string;
  readonly kind: "statement" | "call_transcript";
  readonly text: string;
  /** Hex SHA-256 of the text's bytes: tells a redelivery from a resend with other text. */
  readonly contentSha256: string;
  /** When upstream received the document (the event's received_at, else the Kafka timestamp). */
  readonly receivedAtMs: number;
}

/** Why a message cannot be processed; it goes to the dead-letter topic as it is. */
export interface PoisonMessage {
  readonly ok: false;
  readonly reason: DeadLetterReason;
  /** Safe for logs: never contains document text. */
  readonly detail: string;
  /** Known when the event decoded far enough. */
  readonly documentId: string;
}

export type DecodeResult = DecodedDocument | PoisonMessage;

/** Per source system, the tenants it may write for ("any": every tenant). */
export type TenantAllowlist = ReadonlyMap<string, ReadonlySet<string> | "any">;

export interface DecodeLimits {
  /** Largest document text accepted, in UTF-8 bytes. */
  readonly maxTextBytes: number;
  /** Undefined: any source system may write for any tenant (local development). */
  readonly tenants?: TenantAllowlist;
}

const MAX_ID_LENGTH = 200;
/** The span of received_at values taken as stated: 1970 to the end of year 9999 (what PostgreSQL and ISO dates write). */
const EARLIEST_RECEIVED_AT_MS = 0;
const LATEST_RECEIVED_AT_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
/** Control characters: never part of an identifier (they would also break keyOf's separator). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL_CHARACTER = /[\u0000-\u001f]/;
const utf8 = new TextDecoder("utf-8", { fatal: true });

function poison(reason: DeadLetterReason, detail: string, documentId = ""): PoisonMessage {
  return { ok: false, reason, detail, documentId };
}

/** The Kafka header names the wire format: protobuf binary unless it says JSON. */
function wireFormat(contentType: string | undefined): "binary" | "json" | null {
  if (contentType === undefined || contentType.trim() === "") return "binary";
  const media = contentType.split(";")[0]!.trim().toLowerCase();
  if (media === "application/json") return "json";
  if (["application/protobuf", "application/x-protobuf", "application/vnd.google.protobuf", "application/octet-stream"].includes(media)) {
    return "binary";
  }
  return null;
}

/**
 * Decodes and checks one message from the documents topic. Never throws: anything that
 * cannot become a document to extract is returned as a PoisonMessage with a reason code.
 */
export function decodeDocumentReceived(message: InboundMessage, limits: DecodeLimits): DecodeResult {
  const contentTypeHeader = headerValue(message.headers, "content-type")?.toString("latin1");
  const format = wireFormat(contentTypeHeader);
  if (format === null) {
    return poison(DeadLetterReason.UNSUPPORTED_CONTENT_TYPE, "content-type header is neither protobuf nor JSON");
  }
  if (message.value === null || message.value.length === 0) {
    return poison(DeadLetterReason.UNDECODABLE, "message has no value");
  }

  let event: DocumentReceived;
  try {
    if (format === "json") {
      // The JSON itself must be valid UTF-8 before it is parsed.
      event = fromJsonString(DocumentReceivedSchema, utf8.decode(message.value));
    } else {
      event = fromBinary(DocumentReceivedSchema, message.value);
    }
  } catch (error) {
    const kind = error instanceof TypeError ? "not valid UTF-8" : `not a ${format === "json" ? "JSON" : "protobuf"} DocumentReceived`;
    return poison(DeadLetterReason.UNDECODABLE, `value is ${kind}`);
  }

  const documentId = event.documentId.trim();
  if (documentId === "") return poison(DeadLetterReason.MISSING_FIELD, "document_id is missing");
  if (documentId.length > MAX_ID_LENGTH || CONTROL_CHARACTER.test(documentId)) {
    return poison(DeadLetterReason.MISSING_FIELD, "document_id is not a usable identifier");
  }
  const tenantId = event.tenantId.trim();
  if (tenantId === "") return poison(DeadLetterReason.MISSING_FIELD, "tenant_id is missing", documentId);
  // Both ids are keys of indexed columns: bounded, so that no row outgrows its index.
  if (tenantId.length > MAX_ID_LENGTH || CONTROL_CHARACTER.test(tenantId)) {
    return poison(DeadLetterReason.MISSING_FIELD, "tenant_id is not a usable identifier", documentId);
  }
  const allowed = limits.tenants?.get(event.sourceSystem);
  if (limits.tenants && allowed !== "any" && !allowed?.has(tenantId)) {
    // Names only: a source system and a tenant id are configuration, not customer data.
    const who = allowed
      ? `source system "${event.sourceSystem}" may not write for tenant "${tenantId}"`
      : `source system "${event.sourceSystem}" is not allowed`;
    return poison(DeadLetterReason.TENANT_NOT_ALLOWED, who.slice(0, 300), documentId);
  }
  const kind = kindFromProto(event.kind);
  if (kind === undefined) return poison(DeadLetterReason.MISSING_FIELD, "kind is missing or unknown", documentId);

  if (event.contentType.trim() !== "") {
    const [media, ...params] = event.contentType.split(";").map((p) => p.trim().toLowerCase());
    const charset = params
      .find((p) => p.startsWith("charset="))
      ?.slice("charset=".length)
      .replace(/"/g, "");
    if (media !== "text/plain" || (charset !== undefined && charset !== "utf-8" && charset !== "us-ascii")) {
      return poison(DeadLetterReason.UNSUPPORTED_CONTENT_TYPE, "document content_type is not UTF-8 plain text", documentId);
    }
  }

  if (event.content.case === "reference") {
    // No document store is configured for this worker: a reference cannot be fetched.
    return poison(DeadLetterReason.UNRESOLVABLE_REFERENCE, "document is a content reference, which this worker cannot fetch", documentId);
  }
  if (event.content.case !== "text") return poison(DeadLetterReason.MISSING_FIELD, "text is missing", documentId);

  const bytes = event.content.value;
  if (bytes.length > limits.maxTextBytes) {
    return poison(DeadLetterReason.TEXT_TOO_LARGE, `text is ${bytes.length} bytes, over the ${limits.maxTextBytes} byte limit`, documentId);
  }
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return poison(DeadLetterReason.INVALID_UTF8, "text is not valid UTF-8", documentId);
  }
  if (text.trim() === "") return poison(DeadLetterReason.EMPTY_TEXT, "text is empty or whitespace only", documentId);

  const stated = event.receivedAt ? timestampMs(event.receivedAt) : Number.NaN;
  // A received_at no date can hold (year 275760, a garbage seconds field) would poison every date
  // check made against it; the broker's timestamp is the next best account of when it arrived.
  const receivedAtMs = stated >= EARLIEST_RECEIVED_AT_MS && stated <= LATEST_RECEIVED_AT_MS ? stated : message.timestamp;
  const contentSha256 = createHash("sha256").update(bytes).digest("hex");
  return { ok: true, event, documentId, tenantId, kind, text, contentSha256, receivedAtMs };
}
