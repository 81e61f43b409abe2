import { DATE_FIELDS, LIABILITY_TYPES, MONEY_FIELDS, RECORD_FIELDS, type RecordField } from "@liability/domain";

/**
 * GBNF grammar for the liability record in its canonical serialisation: exactly the text
 * `canonicalRecordJson` (from @liability/domain) produces for a record within the bounds
 * below: compact JSON (no whitespace), keys in spec order, every key present, numbers as
 * JavaScript's JSON.stringify writes them (no trailing zeros, no exponent, "46" not "46.0").
 *
 * Why our own grammar and not node-llama-cpp's generic JSON-schema one: that one allows
 * optional spaces and newlines, "46.0", exponents and any string for dates. The model is
 * trained on canonical targets, so the grammar admits only that form; then
 * `raw_output === canonicalRecordJson(parsed record)` holds for every response, and the
 * output length has a fixed upper bound (see MAX_COMPLETION_BYTES), so generation can never
 * be cut off and the output always parses.
 *
 * Bounds (narrower than the zod schema where the schema is open-ended; documented in the
 * service README):
 * - lender_name: 1 to LENDER_NAME_MAX_CHARS characters, no control characters, not starting
 *   or ending with a space; `"` and `\` are escaped as JSON requires.
 * - money: up to 12 integer digits, up to 2 decimals.
 * - interest_rate: up to 3 integer digits, up to 4 decimals.
 * - dates: YYYY-MM-DD with year 1000-2999, month 01-12 and a day that exists in that month
 *   (02-29 is allowed in every year; the worker's zod validation rejects it in non-leap years).
 * - account_last4: exactly four digits.
 */
export const LENDER_NAME_MAX_CHARS = 120;
const MONEY_INT_DIGITS = 12;
const RATE_INT_DIGITS = 3;
const RATE_DECIMALS = 4;

// Kinds double as GBNF rule names, which allow only letters, digits and "-".
type FieldKind = "liability-type" | "name" | "last4" | "money" | "rate" | "date";

function fieldKind(field: RecordField): FieldKind {
  if (field === "liability_type") return "liability-type";
  if (field === "lender_name") return "name";
  if (field === "account_last4") return "last4";
  if (field === "interest_rate") return "rate";
  if ((MONEY_FIELDS as readonly string[]).includes(field)) return "money";
  if ((DATE_FIELDS as readonly string[]).includes(field)) return "date";
  throw new Error(`grammar: no rule for record field ${field}`);
}

const NULLABLE: Record<FieldKind, boolean> = {
  "liability-type": false,
  name: false,
  last4: true,
  money: true,
  rate: true,
  date: true,
};

/** A GBNF string literal for `text` (which is plain ASCII here). */
function lit(text: string): string {
  return JSON.stringify(text);
}

export function recordGrammar(): string {
  const parts: string[] = [];
  RECORD_FIELDS.forEach((field, i) => {
    const kind = fieldKind(field);
    const prefix = `${i === 0 ? "{" : ","}"${field}":`;
    const value = NULLABLE[kind] ? `( ${kind} | "null" )` : kind;
    parts.push(`${lit(prefix)} ${value}`);
  });
  const rules = [
    `root ::= ${parts.join(" ")} "}"`,
    `liability-type ::= ${LIABILITY_TYPES.map((t) => lit(`"${t}"`)).join(" | ")}`,
    // First and last character are not spaces (zod trims the name; a trimmed name would no
    // longer serialise to the text the model produced).
    `name ::= "\\"" name-edge ( name-char{0,${LENDER_NAME_MAX_CHARS - 2}} name-edge )? "\\""`,
    `name-char ::= [^"\\\\\\x00-\\x1f\\x7f] | name-escape`,
    `name-edge ::= [^"\\\\\\x00-\\x20\\x7f] | name-escape`,
    `name-escape ::= "\\\\" ["\\\\]`,
    `last4 ::= "\\"" [0-9]{4} "\\""`,
    // JSON.stringify writes -0 as "0", so "-0" only ever starts a fraction.
    `money ::= "0" money-frac? | "-0" money-frac | "-"? [1-9] [0-9]{0,${MONEY_INT_DIGITS - 1}} money-frac?`,
    `money-frac ::= "." [0-9]? [1-9]`,
    `rate ::= "0" rate-frac? | [1-9] [0-9]{0,${RATE_INT_DIGITS - 1}} rate-frac?`,
    `rate-frac ::= "." [0-9]{0,${RATE_DECIMALS - 1}} [1-9]`,
    `date ::= "\\"" [12] [0-9]{3} "-" ( month31 "-" day31 | month30 "-" day30 | "02-" day29 ) "\\""`,
    `month31 ::= "0" [13578] | "1" [02]`,
    `month30 ::= "0" [469] | "11"`,
    `day31 ::= "0" [1-9] | [12] [0-9] | "3" [01]`,
    `day30 ::= "0" [1-9] | [12] [0-9] | "30"`,
    `day29 ::= "0" [1-9] | [12] [0-9]`,
  ];
  return rules.join("\n") + "\n";
}

/** Longest value text (UTF-8 bytes) each kind can produce, "null" included. */
const MAX_VALUE_BYTES: Record<FieldKind, number> = {
  "liability-type": Math.max(...LIABILITY_TYPES.map((t) => t.length + 2)),
  // Every character at most 4 UTF-8 bytes; an escape is 2.
  name: 2 + LENDER_NAME_MAX_CHARS * 4,
  last4: 6,
  money: 1 + MONEY_INT_DIGITS + 3,
  rate: RATE_INT_DIGITS + 1 + RATE_DECIMALS,
  date: 12,
};

/**
 * Upper bound on the completion's length in bytes. Every token decodes to at least one
 * byte, so this plus one (the end-of-generation token) bounds the completion in tokens.
 */
export const MAX_COMPLETION_BYTES = RECORD_FIELDS.reduce((sum, field) => {
  const kind = fieldKind(field);
  return sum + field.length + 4 + Math.max(MAX_VALUE_BYTES[kind], NULLABLE[kind] ? 4 : 0);
}, 1);

export const MAX_COMPLETION_TOKENS = MAX_COMPLETION_BYTES + 1;
