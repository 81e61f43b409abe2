// The event a resolution sends through the outbox: LiabilityRecorded with the reviewer's record
// and a ReviewResolution carrying the decision and the record before it.
import { create, toBinary } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { LiabilityRecordedSchema, RecordStatus, ReviewDecision, ReviewResolutionSchema, recordToProto } from "@liability/contracts";
import type { Decision, Resolution } from "./review-rules.ts";

export interface ReviewedEventInput {
  readonly documentId: string;
  readonly tenantId: string;
  readonly resolution: Resolution;
  readonly reviewer: string;
  readonly reviewedAtMs: number;
  readonly modelId: string;
  readonly modelVersion: string;
  readonly promptVersion: string;
  readonly confidence: number | null;
  /** The rule names that sent the document to review (empty for a shadow item). */
  readonly reviewReasons: readonly string[];
}

const DECISION: Readonly<Record<Decision, ReviewDecision>> = {
  accept: ReviewDecision.ACCEPTED,
  correct: ReviewDecision.CORRECTED,
  reject: ReviewDecision.REJECTED,
};

export function encodeReviewedEvent(input: ReviewedEventInput): Uint8Array {
  const { resolution } = input;
  return toBinary(
    LiabilityRecordedSchema,
    create(LiabilityRecordedSchema, {
      documentId: input.documentId,
      tenantId: input.tenantId,
      status: resolution.decision === "reject" ? RecordStatus.REJECTED : RecordStatus.ACCEPTED,
      record: resolution.record ? recordToProto(resolution.record) : undefined,
      modelId: input.modelId,
      modelVersion: input.modelVersion,
      promptVersion: input.promptVersion,
      recordedAt: timestampFromMs(input.reviewedAtMs),
      confidence: input.confidence ?? undefined,
      reviewReasons: [...input.reviewReasons],
      review: create(ReviewResolutionSchema, {
        decision: DECISION[resolution.decision],
        reviewer: input.reviewer,
        reviewedAt: timestampFromMs(input.reviewedAtMs),
        previousRecord: resolution.previous ? recordToProto(resolution.previous) : undefined,
        correctedFields: [...resolution.corrected_fields],
        shadow: resolution.shadow,
      }),
    }),
  );
}
