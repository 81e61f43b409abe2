import type { LiabilityRecord } from "../record.ts";
import { checkConsistency } from "./consistency.ts";
import { checkGrounding } from "./grounding.ts";
import type { Citations } from "./grounding.ts";
import { checkInjection } from "./injection.ts";
import { buildSourceIndex } from "./mentions.ts";
import type { Span } from "./mentions.ts";
import { checkPlausibility } from "./plausibility.ts";
import { DEFAULT_VALIDATION_POLICY } from "./policy.ts";
import type { ValidationPolicy } from "./policy.ts";
import { RULES } from "./reasons.ts";
import type { ValidationReason } from "./reasons.ts";
import { checkSchema } from "./schema-rule.ts";

export interface ModelConfidence {
  readonly available: boolean;
  /** Per record field (spec key), in [0, 1]. */
  readonly fields: Readonly<Record<string, number>>;
}

export interface ExtractionToValidate {
  /** The document text the model read. */
  readonly text: string;
  /** The model output: its JSON text, or a value already parsed from it. */
  readonly output: unknown;
  readonly confidence?: ModelConfidence | null;
  /** When the document was received; date rules are relative to it. */
  readonly referenceDate: Date;
  /** The sidecar cut the document to fit the model's context. */
  readonly truncated?: boolean;
}

export type ValidationStatus = "accepted" | "review";

export interface ValidationResult {
  readonly status: ValidationStatus;
  /** The record when it matched the schema, also when it goes to review; null otherwise. */
  readonly record: LiabilityRecord | null;
  /** Empty exactly when accepted. */
  readonly reasons: readonly ValidationReason[];
  /** Source spans for each non-null field (empty when the schema failed). */
  readonly citations: Citations;
  /** Spans of text that look like instructions to a model, for the reviewer. */
  readonly suspiciousSpans: readonly Span[];
  /** Lowest per-field confidence, or null when the model reported none. */
  readonly confidence: number | null;
}

/**
 * Decides whether an extraction can be recorded as is or needs a person. Every rule
 * runs (rather than stopping at the first failure) so that a reviewer sees all reasons at
 * once. Pure: the same input always gives the same result.
 */
export function validateExtraction(input: ExtractionToValidate, policy: ValidationPolicy = DEFAULT_VALIDATION_POLICY): ValidationResult {
  const reasons: ValidationReason[] = [];
  if (input.truncated) {
    reasons.push({ rule: RULES.inputTruncated, message: "the model saw only part of the document" });
  }
  const injection = checkInjection(input.text);
  reasons.push(...injection.reasons);

  const confidence = lowestConfidence(input.confidence);
  if (confidence === null) {
    if (policy.requireConfidence) {
      reasons.push({ rule: RULES.confidenceUnavailable, message: "the model reported no confidence" });
    }
  } else if (confidence < policy.confidenceThreshold) {
    const low = Object.entries(input.confidence?.fields ?? {})
      .filter(([, v]) => v < policy.confidenceThreshold)
      .map(([k]) => k)
      .sort();
    reasons.push({
      rule: RULES.confidenceBelowThreshold,
      message: `confidence ${confidence.toFixed(3)} is below ${policy.confidenceThreshold} (fields: ${low.join(", ")})`,
    });
  }

  const schema = checkSchema(input.output);
  if (!schema.ok) {
    reasons.push(...schema.reasons);
    return { status: "review", record: null, reasons, citations: {}, suspiciousSpans: injection.spans, confidence };
  }
  const record = schema.record;
  const index = buildSourceIndex(input.text);
  reasons.push(...checkPlausibility(record, input.referenceDate, policy));
  const grounding = checkGrounding(record, index, input.referenceDate, policy);
  reasons.push(...grounding.reasons);
  reasons.push(...checkConsistency(record, index, input.referenceDate, injection.spans, policy.corroboratedFields));

  return {
    status: reasons.length === 0 ? "accepted" : "review",
    record,
    reasons,
    citations: grounding.citations,
    suspiciousSpans: injection.spans,
    confidence,
  };
}

function lowestConfidence(confidence: ModelConfidence | null | undefined): number | null {
  if (!confidence?.available) return null;
  const values = Object.values(confidence.fields).filter((v) => Number.isFinite(v));
  return values.length === 0 ? null : Math.min(...values);
}
