export { RULES, reasonCode } from "./reasons.ts";
export { DEFAULT_VALIDATION_POLICY } from "./policy.ts";
export { buildSourceIndex } from "./mentions.ts";
export { findLabelledAmounts, labelledAmounts } from "./consistency.ts";
export { agreedReading, readLabelledFields, unavailableFields } from "./reader.ts";
export { checkInjection } from "./injection.ts";
export { wordedLiabilityType } from "./liability-type.ts";
export { validateExtraction } from "./validate.ts";
export type { ValidationResult } from "./validate.ts";
