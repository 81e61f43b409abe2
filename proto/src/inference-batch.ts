import { create } from "@bufbuild/protobuf";
import { ExtractBatchResponseSchema } from "../gen/liability/inference/v1/inference_pb.js";
import type { ExtractBatchResponse, ExtractResponse } from "../gen/liability/inference/v1/inference_pb.js";

/** One document's outcome in an ExtractBatch call: its response, or the gRPC status it failed with. */
export type BatchDocumentOutcome =
  | { readonly ok: true; readonly response: ExtractResponse }
  | { readonly ok: false; readonly code: number; readonly message: string; readonly retryAfterMs?: number };

/** The ExtractBatch answer, one result per document in the request's order (the sidecar and its test double both answer this way). */
export function extractBatchResponse(documentIds: readonly string[], outcomes: readonly BatchDocumentOutcome[]): ExtractBatchResponse {
  return create(ExtractBatchResponseSchema, {
    results: outcomes.map((outcome, i) => ({
      documentId: documentIds[i]!,
      outcome: outcome.ok
        ? { case: "response" as const, value: outcome.response }
        : { case: "failure" as const, value: { code: outcome.code, message: outcome.message, retryAfterMs: outcome.retryAfterMs ?? 0 } },
    })),
  });
}
