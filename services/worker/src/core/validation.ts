import { recordFromProto } from "@liability/contracts";
import type { ExtractResponse } from "@liability/contracts";
import { validateExtraction } from "@liability/domain";
import type { ValidationPolicy, ValidationResult } from "@liability/domain";
import type { DecodedDocument } from "./decode.ts";

/** Review reason for a document whose validation raised an error. */
export const VALIDATION_ERROR = "validation.error";

/** Validation's verdict on a model answer; `raised` carries the error a validation bug threw. */
export type ValidationVerdict =
  | { readonly type: "validated"; readonly result: ValidationResult }
  | { readonly type: "raised"; readonly result: ValidationResult; readonly error: unknown };

/**
 * Validates the sidecar's answer for a document. Never throws: a validation bug must not
 * stall the partition (the batch would fail on every redelivery), so the document goes to a
 * person instead.
 */
export function validateAnswer(document: DecodedDocument, response: ExtractResponse, policy: ValidationPolicy): ValidationVerdict {
  try {
    // The raw text is what the model said; the structured record is the fallback of a sidecar that sends none.
    const output = response.rawOutput.trim() !== "" ? response.rawOutput : response.record ? recordFromProto(response.record) : null;
    const result = validateExtraction(
      {
        text: document.text,
        output,
        confidence: response.confidence ? { available: response.confidence.available, fields: response.confidence.fields } : null,
        referenceDate: new Date(document.receivedAtMs),
        truncated: response.truncated,
      },
      policy,
    );
    return { type: "validated", result };
  } catch (error) {
    return {
      type: "raised",
      error,
      result: {
        status: "review",
        record: null,
        reasons: [{ rule: VALIDATION_ERROR as never, message: "validation raised an error" }],
        citations: {},
        suspiciousSpans: [],
        confidence: null,
      },
    };
  }
}
