export { DATE_FIELDS, LIABILITY_TYPES, MONEY_FIELDS, RECORD_FIELDS, canonicalRecordJson, labelledDocumentSchema, liabilityRecordSchema } from "./record.ts";
export type { DocumentKind, LabelledDocument, LiabilityRecord, LiabilityType, RecordField } from "./record.ts";
export { normaliseLenderName, scoreRecord, summariseScores } from "./scoring.ts";
export type { ExtractedRecord, RecordScore } from "./scoring.ts";
export { RULES, reasonCode } from "./validation/reasons.ts";
export { DEFAULT_VALIDATION_POLICY, parseCorroboratedFields } from "./validation/policy.ts";
export type { ValidationPolicy } from "./validation/policy.ts";
export { buildSourceIndex } from "./validation/mentions.ts";
export type { SourceIndex, Span } from "./validation/mentions.ts";
export {
  DUE_AFTER_AS_OF,
  GROUNDED_FIELDS,
  buildCandidates,
  candidateJson,
  candidateJsonValues,
  candidateKind,
  candidateSpans,
  dueWithinAYearOf,
  lenderNameCandidates,
} from "./validation/candidates.ts";
export type { DocumentCandidates, GroundedField } from "./validation/candidates.ts";
export { canonicalReaderValue, findLabelledAmounts, labelledAmounts, readDocumentLabels } from "./validation/consistency.ts";
export type { DocumentLabels } from "./validation/consistency.ts";
export { READER_FIELDS, agreedReading, readLabelledFields } from "./validation/reader.ts";
export type { ReaderField } from "./validation/reader.ts";
export { blankLines, checkInjection, injectedLines } from "./validation/injection.ts";
export { wordedLiabilityType } from "./validation/liability-type.ts";
export { validateExtraction } from "./validation/validate.ts";
export type { ValidationResult } from "./validation/validate.ts";
