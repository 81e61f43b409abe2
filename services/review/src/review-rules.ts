import { DATE_FIELDS, LIABILITY_TYPES, MONEY_FIELDS, RECORD_FIELDS, RULES, validateExtraction } from "@liability/domain";
import type { LiabilityRecord, RecordField, Span } from "@liability/domain";

/** What a reviewer does with an item. */
export type Decision = "accept" | "correct" | "reject";

/** A value that stops a decision, or one the reviewer should look at, for the form. */
export interface FieldProblem {
  readonly field: RecordField | null;
  readonly message: string;
}

/** Where each field's value is stated in the text, as the domain's grounding finds it. */
export type FieldCitations = Partial<Record<RecordField, readonly Span[]>>;

export interface ReviewedRecordCheck {
  /** Problems that refuse the record: it does not match the schema, a value is not in the text, or a column cannot hold it. */
  readonly blocking: readonly FieldProblem[];
  /** What the other rules say (plausibility, consistency, injection): shown, not enforced; the reviewer decides. */
  readonly warnings: readonly FieldProblem[];
  readonly citations: FieldCitations;
}

/**
 * Rules a reviewed record must pass. Grounding is the point of review: a value a person enters
 * must be stated in the document, or marked "not in the document" (null). The bounds protect the
 * typed columns. The rest judged the model's reading and is the reviewer's to overrule.
 */
const BLOCKING_RULES: ReadonlySet<string> = new Set([
  RULES.schemaUnparseable,
  RULES.schemaInvalid,
  RULES.ungrounded,
  RULES.amountOutOfBounds,
  RULES.interestRateOutOfBounds,
]);

/**
 * Checks a record against the document with the worker's own validation (services/domain): the
 * same rules, the same grounding spans. Pure. `receivedAt` is when the document arrived (date rules are relative to it).
 */
export function checkReviewedRecord(text: string, record: LiabilityRecord, receivedAt: Date): ReviewedRecordCheck {
  const result = validateExtraction({ text, output: record, confidence: null, referenceDate: receivedAt });
  const problems = result.reasons.map((r) => ({ rule: r.rule as string, problem: { field: r.field ?? null, message: r.message } }));
  return {
    blocking: problems.filter((p) => BLOCKING_RULES.has(p.rule)).map((p) => p.problem),
    warnings: problems.filter((p) => !BLOCKING_RULES.has(p.rule) && p.rule !== RULES.confidenceUnavailable).map((p) => p.problem),
    citations: result.citations,
  };
}

/** One field of the correction form: what was typed, and the "not in the document" box. */
export interface FieldInput {
  readonly value: string;
  readonly notInDocument: boolean;
}

export type ParsedCorrection =
  | { readonly kind: "parsed"; readonly record: LiabilityRecord }
  | { readonly kind: "invalid"; readonly problems: readonly FieldProblem[] };

const NULLABLE: ReadonlySet<RecordField> = new Set(RECORD_FIELDS.filter((f) => f !== "liability_type" && f !== "lender_name"));

/**
 * The record a correction form describes. Every field needs a value or an explicit "not in the
 * document" (an empty box is a mistake, not a null); amounts may be typed as documents write them
 * ($1,234.50). Schema and grounding are checked afterwards by checkReviewedRecord.
 */
export function parseCorrection(inputs: Readonly<Partial<Record<RecordField, FieldInput>>>): ParsedCorrection {
  const problems: FieldProblem[] = [];
  const record: Record<string, unknown> = {};
  for (const field of RECORD_FIELDS) {
    const input = inputs[field] ?? { value: "", notInDocument: false };
    const value = input.value.trim();
    if (input.notInDocument) {
      if (NULLABLE.has(field)) record[field] = null;
      else problems.push({ field, message: `${field} is always stated; it cannot be marked not in the document` });
      continue;
    }
    if (value === "") {
      problems.push({ field, message: `${field}: enter the value, or mark it not in the document` });
      continue;
    }
    const parsed = parseField(field, value);
    if (parsed === undefined) problems.push({ field, message: `${field}: ${expected(field)}` });
    else record[field] = parsed;
  }
  return problems.length > 0 ? { kind: "invalid", problems } : { kind: "parsed", record: record as LiabilityRecord };
}

function parseField(field: RecordField, value: string): unknown {
  if ((MONEY_FIELDS as readonly string[]).includes(field) || field === "interest_rate") {
    const cleaned = value.replace(/[$,%\s]/g, "");
    if (!/^-?\d+(\.\d+)?$/.test(cleaned)) return undefined;
    return Number(cleaned);
  }
  if ((DATE_FIELDS as readonly string[]).includes(field)) return /^\d{4}-\d{2}-\d{2}$/.test(value) ? value : undefined;
  if (field === "liability_type") return (LIABILITY_TYPES as readonly string[]).includes(value) ? value : undefined;
  if (field === "account_last4") return /^\d{4}$/.test(value) ? value : undefined;
  return value;
}

function expected(field: RecordField): string {
  if (field === "interest_rate") return "expected a rate in percent, e.g. 6.125";
  if ((MONEY_FIELDS as readonly string[]).includes(field)) return "expected an amount, e.g. 1234.50";
  if ((DATE_FIELDS as readonly string[]).includes(field)) return "expected a date as YYYY-MM-DD";
  if (field === "liability_type") return `expected one of ${LIABILITY_TYPES.join(", ")}`;
  if (field === "account_last4") return "expected the last four digits";
  return "expected a value";
}

/** The fields whose value differs between two records (all of them when there was none before). */
export function changedFields(previous: LiabilityRecord | null, next: LiabilityRecord): RecordField[] {
  return RECORD_FIELDS.filter((f) => previous === null || previous[f] !== next[f]);
}

/** What review_queue.resolution holds: the decision and the values before and after it (training/sql/export-reviewed.sql reads it). */
export interface Resolution {
  readonly decision: Decision;
  /** The record before the review (the model's, as stored); null when the model gave none. */
  readonly previous: LiabilityRecord | null;
  /** The record after it; null when rejected. */
  readonly record: LiabilityRecord | null;
  readonly corrected_fields: readonly RecordField[];
  readonly shadow: boolean;
}
