// The worker's outgoing contract messages: LiabilityRecorded for the outbox, DeadLetter for the DLQ.
import { create, toBinary } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { DeadLetterReason, DeadLetterSchema, LiabilityRecordedSchema, RecordStatus, recordToProto } from "@liability/contracts";
import type { LiabilityRecord } from "@liability/domain";
import type { InboundMessage } from "./messaging.ts";

export interface RecordedEventInput {
  documentId: string;
  tenantId: string;
  status: "accepted" | "review";
  record: LiabilityRecord | null;
  modelId: string;
  modelVersion: string;
  promptVersion: string;
  recordedAtMs: number;
  confidence: number | null;
  reviewReasons: readonly string[];
}

export function encodeLiabilityRecorded(input: RecordedEventInput): Uint8Array {
  return toBinary(
    LiabilityRecordedSchema,
    create(LiabilityRecordedSchema, {
      documentId: input.documentId,
      tenantId: input.tenantId,
      status: input.status === "accepted" ? RecordStatus.ACCEPTED : RecordStatus.REVIEW,
      record: input.record ? recordToProto(input.record) : undefined,
      modelId: input.modelId,
      modelVersion: input.modelVersion,
      promptVersion: input.promptVersion,
      recordedAt: timestampFromMs(input.recordedAtMs),
      confidence: input.confidence ?? undefined,
      reviewReasons: [...input.reviewReasons],
    }),
  );
}

export interface DeadLetterInput {
  message: InboundMessage;
  reason: DeadLetterReason;
  detail: string;
  documentId: string;
  attempts: number;
  firstFailureMs: number;
  lastFailureMs: number;
}

/** The original message untouched (bytes, key, headers) and why it could not be processed. */
export function encodeDeadLetter(input: DeadLetterInput): Uint8Array {
  const { message } = input;
  return toBinary(
    DeadLetterSchema,
    create(DeadLetterSchema, {
      originalTopic: message.topic,
      originalPartition: message.partition,
      originalOffset: BigInt(message.offset),
      originalKey: message.key ?? new Uint8Array(),
      originalValue: message.value ?? new Uint8Array(),
      originalHeaders: message.originalHeaders.map(({ key, value }) => ({ key, value })),
      reason: input.reason,
      errorDetail: input.detail,
      attempts: input.attempts,
      firstFailureAt: timestampFromMs(input.firstFailureMs),
      lastFailureAt: timestampFromMs(input.lastFailureMs),
      documentId: input.documentId,
    }),
  );
}

/** A dead-letter reason by name, as in headers, metrics and the audit. */
export function deadLetterReasonName(reason: DeadLetterReason): string {
  return DeadLetterReason[reason] ?? "UNSPECIFIED";
}
