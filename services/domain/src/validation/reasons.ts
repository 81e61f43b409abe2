import type { RecordField } from "../record.ts";

/**
 * Names of the validation rules. They are stable identifiers: they travel in
 * LiabilityRecorded.review_reasons, are stored with review entries and are counted in
 * metrics, so renaming one is a contract change.
 */
export const RULES = {
  /** The model output is not JSON, or not an object. */
  schemaUnparseable: "schema.unparseable",
  /** The output does not match the record schema of the spec. */
  schemaInvalid: "schema.invalid",
  negativeAmount: "plausibility.negative_amount",
  amountOutOfBounds: "plausibility.amount_out_of_bounds",
  interestRateOutOfBounds: "plausibility.interest_rate_out_of_bounds",
  escrowNotApplicable: "plausibility.escrow_not_applicable",
  payoffFarFromBalance: "plausibility.payoff_far_from_balance",
  goodThroughBeforeAsOf: "plausibility.good_through_before_as_of",
  dueDateBeforeAsOf: "plausibility.due_date_before_as_of",
  dateOutOfWindow: "plausibility.date_out_of_window",
  /** A value that nothing in the source text supports: a hallucination. */
  ungrounded: "grounding.ungrounded_value",
  /** The document labels two different amounts as the same thing (e.g. two balances). */
  conflictingValues: "consistency.conflicting_values",
  /** The document labels an amount for this field, and the record has a different one. */
  valueNotAtLabel: "consistency.value_not_at_label",
  /** The document labels a value for this field and the record leaves it null. */
  labelledValueMissing: "consistency.labelled_value_missing",
  /**
   * The record has a value for a field that no label in the document names: the model chose it
   * among the document's figures, and nothing confirms the choice (policy.corroboratedFields).
   */
  uncorroborated: "consistency.uncorroborated_value",
  /** A speaker says the figure cannot be given, and the record has one anyway (taken from elsewhere). */
  statedUnavailable: "consistency.stated_unavailable",
  /** The record has a figure of a kind the document never mentions (a payoff where nothing speaks of paying off). */
  unnamedField: "consistency.unnamed_field",
  /** Text that reads as instructions to a model rather than as a bank document. */
  injectionInstructions: "injection.instructions_in_text",
  /** Invisible or direction-changing characters, a common way to hide instructions. */
  injectionHiddenCharacters: "injection.hidden_characters",
  confidenceBelowThreshold: "confidence.below_threshold",
  confidenceUnavailable: "confidence.unavailable",
  /** The sidecar cut the document to fit the context: the model did not see all of it. */
  inputTruncated: "input.truncated",
} as const;

export type RuleName = (typeof RULES)[keyof typeof RULES];

export interface ValidationReason {
  readonly rule: RuleName;
  /** The field concerned, when the rule is about one field. */
  readonly field?: RecordField;
  /** Why, for a reviewer. Never contains document text or account numbers. */
  readonly message: string;
}

/** "rule" or "rule:field": the form used in events, metrics labels and review rows. */
export function reasonCode(reason: ValidationReason): string {
  return reason.field ? `${reason.rule}:${reason.field}` : reason.rule;
}
