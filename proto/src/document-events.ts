import { create, toBinary, toJsonString } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import type { DocumentKind } from "@liability/domain";
import { DocumentReceivedSchema } from "../gen/liability/events/v1/events_pb.js";
import type { DocumentReceived } from "../gen/liability/events/v1/events_pb.js";
import { kindToProto } from "./codec.ts";

/**
 * The upstream side of the documents topic: how a producer (the demo, the load test, eval's
 * pipeline mode, the integration tests) turns a document into a DocumentReceived event, so that
 * every one of them publishes what the worker's decoder expects.
 */

export interface UpstreamDocument {
  readonly documentId: string;
  readonly tenantId: string;
  readonly kind: DocumentKind;
  readonly sourceSystem: string;
  readonly receivedAtMs: number;
  /** The text, or its UTF-8 bytes when the producer already holds them (the load test reuses one buffer per document). */
  readonly text: string | Uint8Array;
}

const utf8 = new TextEncoder();

export function documentReceived(doc: UpstreamDocument): DocumentReceived {
  return create(DocumentReceivedSchema, {
    documentId: doc.documentId,
    tenantId: doc.tenantId,
    kind: kindToProto(doc.kind),
    sourceSystem: doc.sourceSystem,
    receivedAt: timestampFromMs(doc.receivedAtMs),
    contentType: "text/plain; charset=utf-8",
    content: { case: "text", value: typeof doc.text === "string" ? utf8.encode(doc.text) : doc.text },
  });
}

/** The event's bytes and the content-type header that tells the worker how to decode them (protobuf unless asked for JSON). */
export function encodeDocumentReceived(doc: UpstreamDocument, format: "binary" | "json" = "binary"): { value: Buffer; contentType: string } {
  const event = documentReceived(doc);
  return format === "json"
    ? { value: Buffer.from(toJsonString(DocumentReceivedSchema, event)), contentType: "application/json" }
    : { value: Buffer.from(toBinary(DocumentReceivedSchema, event)), contentType: "application/x-protobuf" };
}
