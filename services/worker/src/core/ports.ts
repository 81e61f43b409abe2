/**
 * What the worker's core needs from the world, in the core's own types: a store for records,
 * an extractor for model answers and (in messaging.ts) a producer for dead letters. The
 * adapters (store.ts, inference-client.ts, the Kafka adapters) implement these and import
 * their types from here; the core imports no adapter.
 */
import type { ExtractResponse } from "@liability/contracts";
import type { DocumentKind, LiabilityRecord } from "@liability/domain";

/** The dependencies behind the ports; the shell pauses consumption while one is down. */
export type Dependency = "inference" | "database" | "kafka" | "internal";

/** A document as the store keys it: document ids are each tenant's own. */
export interface DocumentKey {
  readonly tenantId: string;
  readonly documentId: string;
}

/** One string per key, for maps and sets (ids never hold control characters; decode refuses them). */
export function keyOf(key: DocumentKey): string {
  return `${key.tenantId}\u0000${key.documentId}`;
}

/** One processed document, ready to be written. */
export interface RecordRow extends DocumentKey {
  /** Hex SHA-256 of the document text. */
  readonly contentSha256: string;
  readonly status: "accepted" | "review";
  /** Null when the model output did not match the schema (or there was none). */
  readonly record: LiabilityRecord | null;
  readonly modelId: string;
  readonly modelVersion: string;
  readonly promptVersion: string;
  readonly confidence: number | null;
  readonly fieldConfidence: Readonly<Record<string, number>> | null;
  readonly citations: unknown;
  readonly traceId: string | null;
  readonly kafkaTopic: string;
  readonly kafkaPartition: number;
  readonly kafkaOffset: string;
  /**
   * Goes to review_queue although accepted: a shadow item, sampled to measure the accepted error
   * rate (REVIEW_SHADOW_SHARE). Always false for a review record (it goes there anyway).
   */
  readonly shadow: boolean;
  /**
   * For a review or shadow item, the document as the reviewer reads it (review_documents, the
   * only copy of a text the database keeps); null for an accepted record.
   */
  readonly reviewDocument: { readonly kind: DocumentKind; readonly text: string; readonly receivedAtMs: number } | null;
  /** For review: reasons as stored in review_queue.reasons. */
  readonly reviewReasons: readonly ReviewReason[];
  readonly rawModelOutput: string | null;
  /** The LiabilityRecorded event for the outbox. */
  readonly outbox: { readonly topic: string; readonly payload: Uint8Array; readonly headers: Readonly<Record<string, string>> };
}

/** One review reason as stored in review_queue.reasons. */
export interface ReviewReason {
  readonly code: string;
  readonly rule: string;
  readonly field?: string | null;
  readonly message: string;
}

/** One extraction attempt for the audit table. */
export interface AttemptRow {
  readonly documentId: string;
  readonly tenantId: string | null;
  readonly attempt: number;
  readonly outcome: "accepted" | "review" | "retry" | "dead_lettered" | "failed";
  readonly errorCode: string | null;
  readonly latencyMs: number | null;
  readonly modelVersion: string | null;
  readonly traceId: string | null;
}

/**
 * The database refused a write as data (SQLSTATE class 22, 23 or 54: a value out of range, a
 * broken constraint, a string too long for its index), not because it is down: writing the
 * same rows again would fail again, so the rows must be found and set aside.
 */
export class RowsRejectedError extends Error {
  readonly sqlState: string;
  constructor(sqlState: string, message: string) {
    super(message);
    this.name = "RowsRejectedError";
    this.sqlState = sqlState;
  }
}

/** The database, as the core sees it. */
export interface RecordStore {
  /**
   * Which of these documents already have a record, by keyOf, with the SHA-256 of the text they
   * were recorded from (null for records older than the hash): redeliveries need no inference.
   */
  recordedDocuments(keys: readonly DocumentKey[]): Promise<Map<string, string | null>>;
  /**
   * Writes records (with their review entries and outbox events) and attempts in one
   * transaction; returns the keys (keyOf) of the records that were new. A record whose
   * document is already recorded is not written again.
   */
  writeBatch(records: readonly RecordRow[], attempts: readonly AttemptRow[]): Promise<Set<string>>;
  /**
   * After writeBatch threw RowsRejectedError: the records the database refuses, by keyOf, each
   * with a reason safe for logs (SQLSTATE and constraint, never a value). Writes nothing.
   */
  rejectedRecords(records: readonly RecordRow[], attempts: readonly AttemptRow[]): Promise<Map<string, string>>;
  /** Per document (by keyOf), how many of its earlier sidecar calls ran out of time (the attempt audit). */
  timedOutCalls(keys: readonly DocumentKey[]): Promise<Map<string, number>>;
}

export interface ExtractRequest {
  readonly documentId: string;
  readonly kind: DocumentKind;
  readonly text: string;
}

/** One call to the sidecar, for the audit. */
export interface AttemptRecord {
  readonly attempt: number;
  readonly latencyMs: number;
  /** gRPC status name of a failed attempt; null for the successful one. */
  readonly errorCode: string | null;
}

export type ExtractOutcome =
  | { readonly kind: "ok"; readonly response: ExtractResponse; readonly attempts: readonly AttemptRecord[] }
  /** The sidecar refused the document (INVALID_ARGUMENT and kin): dead-letter it. */
  | { readonly kind: "rejected"; readonly code: string; readonly attempts: readonly AttemptRecord[] }
  /** A non-transient server error that persisted through the retries: a person looks at the document. */
  | { readonly kind: "failed"; readonly code: string; readonly attempts: readonly AttemptRecord[] }
  /** The sidecar is down or the circuit is open: process this document later, not now. */
  | { readonly kind: "unavailable"; readonly code: string; readonly attempts: readonly AttemptRecord[] }
  /** The caller gave up (shutdown, or the batch stopped early). */
  | { readonly kind: "aborted"; readonly attempts: readonly AttemptRecord[] };

/** The model, as the core sees it: retries and deadlines are the adapter's, never an exception. */
export interface Extractor {
  extract(request: ExtractRequest, signal: AbortSignal): Promise<ExtractOutcome>;
}
