// The worker's DeadLetter for the DLQ (LiabilityRecorded, shared with the review console, is in @liability/contracts).
import { create, toBinary } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { DeadLetterReason, DeadLetterSchema } from "@liability/contracts";
import type { InboundMessage } from "./messaging.ts";

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
