import { DeadLetterReason, encodeLiabilityRecorded } from "@liability/contracts";
import type { ExtractResponse } from "@liability/contracts";
import { reasonCode } from "@liability/domain";
import type { LiabilityRecord, ValidationResult } from "@liability/domain";
import type { DecodedDocument, DecodeResult, PoisonMessage } from "./decode.ts";
import type { InboundMessage } from "./messaging.ts";
import { keyOf } from "./ports.ts";
import type { AttemptRecord, DocumentKey, ExtractOutcome, RecordRow, ReviewReason } from "./ports.ts";
import { inShadowSample } from "./shadow.ts";

/** Review reason for a document the sidecar could not process (a non-transient server error). */
export const INFERENCE_FAILED = "inference.failed";

/** What becomes of one message of a batch. */
export type Outcome =
  /** Cannot be processed: it goes to the dead-letter topic with its reason. */
  | { readonly type: "poison"; readonly poison: PoisonMessage; readonly attempts: readonly AttemptRecord[] }
  /** Already recorded (an earlier delivery, an earlier copy in the batch, or another worker): nothing is written. */
  | { readonly type: "duplicate" }
  | {
      readonly type: "record";
      readonly row: RecordRow;
      readonly attempts: readonly AttemptRecord[];
      readonly modelVersion: string;
      /** How the last attempt ended, for the audit: failed means no usable model answer. */
      readonly final: "accepted" | "review" | "failed";
    }
  /** Not finished (the sidecar is down, or the batch was abandoned): left for redelivery. */
  | { readonly type: "pending"; readonly attempts: readonly AttemptRecord[] };

/** A message's fate before the sidecar is asked: settled already, or a document to extract. */
export type Triage =
  | Extract<Outcome, { type: "poison" | "duplicate" }>
  | { readonly type: "extract"; readonly document: DecodedDocument }
  /** The same document (same tenant, id and text) as message `of` of the batch: it shares that copy's fate. */
  | { readonly type: "repeat"; readonly of: number };

/** The keys to look up in the store before extracting: every decoded document's, once. */
export function documentKeysToCheck(decoded: readonly DecodeResult[]): DocumentKey[] {
  const keys = new Map<string, DocumentKey>();
  for (const d of decoded) if (d.ok) keys.set(keyOf(d), { tenantId: d.tenantId, documentId: d.documentId });
  return [...keys.values()];
}

function conflictingResend(document: DecodedDocument, earlier: string): Extract<Outcome, { type: "poison" }> {
  return {
    type: "poison",
    poison: {
      ok: false,
      reason: DeadLetterReason.CONFLICTING_RESEND,
      detail: `document id already ${earlier} for this tenant with different text`,
      documentId: document.documentId,
    },
    attempts: [],
  };
}

/**
 * Decides what needs the sidecar: undecodable messages are dead letters; a document recorded
 * from the same text is a duplicate, from other text a conflicting resend; within a batch only
 * the first copy of a document is extracted, and a later copy with other text is a conflict.
 */
export function triage(decoded: readonly DecodeResult[], recorded: ReadonlyMap<string, string | null>): Triage[] {
  const firstCopy = new Map<string, { index: number; contentSha256: string }>();
  return decoded.map((d, index): Triage => {
    if (!d.ok) return { type: "poison", poison: d, attempts: [] };
    const key = keyOf(d);
    const earlier = recorded.get(key);
    // A record older than the content hash cannot be compared: a redelivery, as before.
    if (earlier !== undefined) return earlier === null || earlier === d.contentSha256 ? { type: "duplicate" } : conflictingResend(d, "recorded");
    const first = firstCopy.get(key);
    if (first) return first.contentSha256 === d.contentSha256 ? { type: "repeat", of: first.index } : conflictingResend(d, "in this batch");
    firstCopy.set(key, { index, contentSha256: d.contentSha256 });
    return { type: "extract", document: d };
  });
}

/**
 * The fate of a repeated copy, once its first copy's is known: recorded once (a duplicate), or
 * dead-lettered as well (each copy is a message of its own and gets its own letter), or left
 * for redelivery with it. Never a duplicate of something that was not recorded.
 */
export function repeatOutcome(first: Outcome | undefined): Outcome {
  if (first === undefined || first.type === "pending") return { type: "pending", attempts: [] };
  if (first.type === "poison") return { type: "poison", poison: first.poison, attempts: [] };
  return { type: "duplicate" };
}

/** Where a record comes from and what its row and event carry besides the decision. */
export interface RecordOrigin {
  readonly message: InboundMessage;
  readonly traceId: string | null;
  /** traceparent/tracestate of the document's processing, for the outbox event. */
  readonly traceHeaders: Readonly<Record<string, string>>;
  readonly recordedTopic: string;
  readonly recordedAtMs: number;
  /** Share of accepted records also sent to review as shadow items (REVIEW_SHADOW_SHARE). */
  readonly reviewShadowShare: number;
}

/** The gRPC status of a call that ran out of time, as AttemptRecord.errorCode names it. */
export const TIMED_OUT = "DEADLINE_EXCEEDED";

/** Calls of this extraction that ran out of time. */
function timedOutCallsOf(extraction: ExtractOutcome): number {
  return extraction.attempts.filter((a) => a.errorCode === TIMED_OUT).length;
}

/** An extraction left pending because its last call ran out of time. */
export function endedInTimeout(extraction: ExtractOutcome): boolean {
  return extraction.kind === "unavailable" && extraction.code === TIMED_OUT;
}

/**
 * A document whose calls ran out of time (endedInTimeout) while the sidecar answered other
 * documents meanwhile (the caller knows), after `limit` timed-out calls in all (`earlier` from the
 * audit plus this delivery's): the document is the problem, not the sidecar. Retrying it would hold
 * its partition for ever, so it is dead-lettered (with its original bytes, for a replay once fixed).
 * Undefined while it may still go through.
 */
export function timedOutTooOften(
  document: DecodedDocument,
  extraction: ExtractOutcome,
  earlier: number,
  limit: number,
): Extract<Outcome, { type: "poison" }> | undefined {
  if (!endedInTimeout(extraction)) return undefined;
  const total = earlier + timedOutCallsOf(extraction);
  if (total < limit) return undefined;
  return {
    type: "poison",
    poison: {
      ok: false,
      reason: DeadLetterReason.INFERENCE_TIMED_OUT,
      detail: `the sidecar ran out of time on this document ${total} times while it answered others`,
      documentId: document.documentId,
    },
    attempts: extraction.attempts,
  };
}

/**
 * Turns the sidecar's answer into the document's outcome: an outage or an abandoned call
 * leaves it pending, a refusal dead-letters it, a persistent server error sends it to review,
 * and an answer is validated (by `validate`) into an accepted or review record.
 */
export function outcomeOfExtraction(
  document: DecodedDocument,
  extraction: ExtractOutcome,
  validate: (response: ExtractResponse) => ValidationResult,
  origin: RecordOrigin,
): Outcome {
  switch (extraction.kind) {
    case "unavailable":
    case "aborted":
      return { type: "pending", attempts: extraction.attempts };
    case "rejected":
      return {
        type: "poison",
        poison: {
          ok: false,
          reason: DeadLetterReason.INFERENCE_REJECTED,
          detail: `sidecar answered ${extraction.code}`,
          documentId: document.documentId,
        },
        attempts: extraction.attempts,
      };
    case "failed": {
      const row = recordRow(document, origin, {
        status: "review",
        record: null,
        reasonCodes: [INFERENCE_FAILED],
        reviewReasons: [{ code: INFERENCE_FAILED, rule: INFERENCE_FAILED, message: `sidecar answered ${extraction.code}` }],
        validation: null,
        model: { id: "", version: "", prompt: "" },
        confidence: null,
        fieldConfidence: null,
        rawOutput: null,
      });
      return { type: "record", row, attempts: extraction.attempts, modelVersion: "", final: "failed" };
    }
    case "ok": {
      const { response } = extraction;
      const validation = validate(response);
      const model = {
        id: response.model?.modelId ?? "",
        version: response.model?.modelVersion ?? "",
        prompt: response.model?.promptVersion ?? "",
      };
      const row = recordRow(document, origin, {
        status: validation.status,
        record: validation.record,
        reasonCodes: validation.reasons.map(reasonCode),
        reviewReasons: validation.reasons.map((r) => ({ code: reasonCode(r), rule: r.rule, field: r.field ?? null, message: r.message })),
        validation,
        model,
        confidence: validation.confidence,
        fieldConfidence: response.confidence?.available ? { ...response.confidence.fields } : null,
        rawOutput: response.rawOutput === "" ? null : response.rawOutput,
      });
      return { type: "record", row, attempts: extraction.attempts, modelVersion: model.version, final: validation.status };
    }
  }
}

interface Decision {
  readonly status: "accepted" | "review";
  readonly record: LiabilityRecord | null;
  readonly reasonCodes: readonly string[];
  readonly reviewReasons: readonly ReviewReason[];
  readonly validation: ValidationResult | null;
  readonly model: { readonly id: string; readonly version: string; readonly prompt: string };
  readonly confidence: number | null;
  readonly fieldConfidence: Readonly<Record<string, number>> | null;
  readonly rawOutput: string | null;
}

/** The row for liability_records (and review_queue), with its LiabilityRecorded event for the outbox. */
function recordRow(document: DecodedDocument, origin: RecordOrigin, d: Decision): RecordRow {
  const shadow = d.status === "accepted" && inShadowSample(document, origin.reviewShadowShare);
  return {
    documentId: document.documentId,
    tenantId: document.tenantId,
    contentSha256: document.contentSha256,
    status: d.status,
    record: d.record,
    modelId: d.model.id,
    modelVersion: d.model.version,
    promptVersion: d.model.prompt,
    confidence: d.confidence,
    fieldConfidence: d.fieldConfidence,
    citations: d.validation
      ? { ...d.validation.citations, ...(d.validation.suspiciousSpans.length > 0 ? { suspicious: d.validation.suspiciousSpans } : {}) }
      : {},
    traceId: origin.traceId,
    kafkaTopic: origin.message.topic,
    kafkaPartition: origin.message.partition,
    kafkaOffset: origin.message.offset,
    shadow,
    reviewDocument: d.status === "review" || shadow ? { kind: document.kind, text: document.text, receivedAtMs: document.receivedAtMs } : null,
    reviewReasons: d.reviewReasons,
    // The reviewer sees what the model said; an accepted record needs no second copy of it.
    rawModelOutput: d.status === "review" ? d.rawOutput : null,
    outbox: {
      topic: origin.recordedTopic,
      payload: encodeLiabilityRecorded({
        documentId: document.documentId,
        tenantId: document.tenantId,
        status: d.status,
        record: d.record,
        modelId: d.model.id,
        modelVersion: d.model.version,
        promptVersion: d.model.prompt,
        recordedAtMs: origin.recordedAtMs,
        confidence: d.confidence,
        reviewReasons: d.reasonCodes,
      }),
      headers: {
        ...origin.traceHeaders,
        "content-type": "application/x-protobuf",
        "document-id": document.documentId,
        "record-status": d.status,
      },
    },
  };
}
