import { create, toBinary } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import type { LiabilityRecord } from "@liability/domain";
import { LiabilityRecordedSchema, RecordStatus, ReviewDecision, ReviewResolutionSchema } from "../gen/liability/events/v1/events_pb.js";
import { recordToProto } from "./codec.ts";

/**
 * LiabilityRecorded, the event every outcome of a document sends through the outbox: the worker's
 * (accepted, or sent to review) and a reviewer's (accepted, corrected or rejected, with the
 * resolution). One mapping for both, next to the contract.
 */

export interface ReviewResolutionInput {
  readonly decision: "accept" | "correct" | "reject";
  readonly reviewer: string;
  readonly reviewedAtMs: number;
  /** The record before the reviewer's action (the model's), if there was one. */
  readonly previous: LiabilityRecord | null;
  readonly correctedFields: readonly string[];
  /** The item was a shadow sample of an accepted record. */
  readonly shadow: boolean;
}

export interface LiabilityRecordedInput {
  readonly documentId: string;
  readonly tenantId: string;
  readonly status: "accepted" | "review" | "rejected";
  readonly record: LiabilityRecord | null;
  readonly modelId: string;
  readonly modelVersion: string;
  readonly promptVersion: string;
  readonly recordedAtMs: number;
  readonly confidence: number | null;
  readonly reviewReasons: readonly string[];
  readonly review?: ReviewResolutionInput;
}

const STATUS: Readonly<Record<LiabilityRecordedInput["status"], RecordStatus>> = {
  accepted: RecordStatus.ACCEPTED,
  review: RecordStatus.REVIEW,
  rejected: RecordStatus.REJECTED,
};

const DECISION: Readonly<Record<ReviewResolutionInput["decision"], ReviewDecision>> = {
  accept: ReviewDecision.ACCEPTED,
  correct: ReviewDecision.CORRECTED,
  reject: ReviewDecision.REJECTED,
};

export function encodeLiabilityRecorded(input: LiabilityRecordedInput): Uint8Array {
  const { review } = input;
  return toBinary(
    LiabilityRecordedSchema,
    create(LiabilityRecordedSchema, {
      documentId: input.documentId,
      tenantId: input.tenantId,
      status: STATUS[input.status],
      record: input.record ? recordToProto(input.record) : undefined,
      modelId: input.modelId,
      modelVersion: input.modelVersion,
      promptVersion: input.promptVersion,
      recordedAt: timestampFromMs(input.recordedAtMs),
      confidence: input.confidence ?? undefined,
      reviewReasons: [...input.reviewReasons],
      review: review
        ? create(ReviewResolutionSchema, {
            decision: DECISION[review.decision],
            reviewer: review.reviewer,
            reviewedAt: timestampFromMs(review.reviewedAtMs),
            previousRecord: review.previous ? recordToProto(review.previous) : undefined,
            correctedFields: [...review.correctedFields],
            shadow: review.shadow,
          })
        : undefined,
    }),
  );
}
