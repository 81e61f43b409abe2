import { RECORD_FIELDS } from "@liability/domain";
import type { LiabilityRecord, RecordField } from "@liability/domain";
import { changedFields, checkReviewedRecord, parseCorrection } from "./review-rules.ts";
import type { FieldInput } from "./review-rules.ts";
import type { ResolutionPlan, ReviewItem } from "./store.ts";

/** A reviewer's request, as the form or the HTTP API sends it. */
export type ReviewAction =
  | { readonly decision: "accept" }
  /** A field left out keeps the model's value (the form sends them all; the API may send only what changes). */
  | { readonly decision: "correct"; readonly fields: Readonly<Partial<Record<RecordField, FieldInput>>> }
  | { readonly decision: "reject" };

/**
 * What an action does to an item (pure; the store runs it on the locked item). Accepting needs a
 * record the model gave; accepting and correcting both need a record that passes the blocking
 * rules against the text (checkReviewedRecord). Rejecting needs nothing.
 */
export function planResolution(item: ReviewItem, action: ReviewAction): ResolutionPlan {
  const previous = item.record;
  if (action.decision === "reject") {
    return { kind: "resolve", citations: {}, resolution: { decision: "reject", previous, record: null, corrected_fields: [], shadow: item.shadow } };
  }
  let record: LiabilityRecord;
  if (action.decision === "accept") {
    if (previous === null)
      return { kind: "refuse", problems: [{ field: null, message: "the model gave no usable record: correct it or reject the document" }] };
    record = previous;
  } else {
    const parsed = parseCorrection({ ...inputsOf(previous), ...action.fields });
    if (parsed.kind === "invalid") return { kind: "refuse", problems: parsed.problems };
    record = parsed.record;
  }
  if (item.text === null) return { kind: "refuse", problems: [{ field: null, message: "the document text is no longer kept; the item can only be rejected" }] };
  const check = checkReviewedRecord(item.text, record, item.receivedAt);
  if (check.blocking.length > 0) return { kind: "refuse", problems: check.blocking };
  const corrected = action.decision === "accept" ? [] : changedFields(previous, record);
  return {
    kind: "resolve",
    citations: check.citations,
    // A "correction" that changes nothing is an acceptance, so the training data and the shadow error rate count it as one.
    resolution: { decision: corrected.length === 0 ? "accept" : "correct", previous, record, corrected_fields: corrected, shadow: item.shadow },
  };
}

/** The model's record as form inputs (null: "not in the document"); none without a record. */
function inputsOf(record: LiabilityRecord | null): Partial<Record<RecordField, FieldInput>> {
  if (record === null) return {};
  return Object.fromEntries(
    RECORD_FIELDS.map((f) => [f, record[f] === null ? { value: "", notInDocument: true } : { value: String(record[f]), notInDocument: false }]),
  );
}
