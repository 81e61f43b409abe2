// Generated code lives in ../gen (reproducible with `npm run generate -w proto`);
// this module is the package's one public entry point.
export { DocumentKind, LiabilityRecordSchema, LiabilityType } from "../gen/liability/record/v1/record_pb.js";
export type { LiabilityRecord } from "../gen/liability/record/v1/record_pb.js";
export { ExtractBatchResponseSchema, ExtractRequestSchema, ExtractResponseSchema, InferenceService } from "../gen/liability/inference/v1/inference_pb.js";
export type { ExtractBatchRequest, ExtractBatchResponse, ExtractRequest, ExtractResponse } from "../gen/liability/inference/v1/inference_pb.js";
export {
  DeadLetterReason,
  DeadLetterSchema,
  DocumentReceivedSchema,
  LiabilityRecordedSchema,
  RecordStatus,
  ReviewDecision,
  ReviewResolutionSchema,
} from "../gen/liability/events/v1/events_pb.js";
export type { DocumentReceived } from "../gen/liability/events/v1/events_pb.js";
export { DEFAULT_TOPICS, kindFromProto, kindToProto, recordFromProto, recordToProto } from "./codec.ts";
export { documentReceived, encodeDocumentReceived } from "./document-events.ts";
export type { UpstreamDocument } from "./document-events.ts";
export { extractBatchResponse } from "./inference-batch.ts";
export type { BatchDocumentOutcome } from "./inference-batch.ts";
export { encodeLiabilityRecorded } from "./liability-recorded.ts";
export type { LiabilityRecordedInput, ReviewResolutionInput } from "./liability-recorded.ts";
