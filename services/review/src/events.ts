// The event a resolution sends through the outbox: LiabilityRecorded with the reviewer's record and
// the resolution (decision, reviewer, the record before it), encoded by the contracts' one mapping.
import { encodeLiabilityRecorded } from "@liability/contracts";
import type { Resolution } from "./review-rules.ts";

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

export function encodeReviewedEvent(input: ReviewedEventInput): Uint8Array {
  const { resolution } = input;
  return encodeLiabilityRecorded({
    documentId: input.documentId,
    tenantId: input.tenantId,
    status: resolution.decision === "reject" ? "rejected" : "accepted",
    record: resolution.record,
    modelId: input.modelId,
    modelVersion: input.modelVersion,
    promptVersion: input.promptVersion,
    recordedAtMs: input.reviewedAtMs,
    confidence: input.confidence,
    reviewReasons: input.reviewReasons,
    review: {
      decision: resolution.decision,
      reviewer: input.reviewer,
      reviewedAtMs: input.reviewedAtMs,
      previous: resolution.previous,
      correctedFields: resolution.corrected_fields,
      shadow: resolution.shadow,
    },
  });
}
