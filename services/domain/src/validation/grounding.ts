import { MONEY_FIELDS } from "../record.ts";
import type { LiabilityRecord, LiabilityType, RecordField } from "../record.ts";
import { toCents, toThousandths } from "./mentions.ts";
import type { SourceIndex, Span } from "./mentions.ts";
import type { ValidationPolicy } from "./policy.ts";
import { RULES } from "./reasons.ts";
import type { ValidationReason } from "./reasons.ts";

/** Where in the source text each non-null field's value is stated. */
export type Citations = Partial<Record<RecordField, readonly Span[]>>;

export interface GroundingResult {
  readonly citations: Citations;
  readonly reasons: readonly ValidationReason[];
}

/**
 * Rule "grounding": every non-null amount, rate, date, account digit string and the
 * lender name must be stated somewhere in the source text, in any of the ways documents
 * write them. What supports each value is returned as character spans (citations), so a
 * reviewer sees where every value came from. liability_type is inferred rather than
 * quoted, so it gets citations where a keyword supports it but is never ungrounded.
 */
export function checkGrounding(
  record: LiabilityRecord,
  index: SourceIndex,
  referenceDate: Date,
  policy: ValidationPolicy,
): GroundingResult {
  const citations: Citations = {};
  const reasons: ValidationReason[] = [];
  const cite = (field: RecordField, spans: readonly Span[], what: string) => {
    if (spans.length > 0) citations[field] = dedupe(spans);
    else reasons.push({ rule: RULES.ungrounded, field, message: `${field}: ${what} is not stated in the source text` });
  };

  for (const field of MONEY_FIELDS) {
    const value = record[field];
    if (value === null) continue;
    const cents = toCents(Math.abs(value));
    cite(field, index.money.filter((m) => m.cents.has(cents)), `amount ${value.toFixed(2)}`);
  }

  if (record.interest_rate !== null) {
    const t = toThousandths(record.interest_rate);
    cite("interest_rate", index.numbers.filter((n) => n.thousandths.has(t)), `rate ${record.interest_rate}%`);
  }

  const refYear = referenceDate.getUTCFullYear();
  for (const field of ["payoff_good_through", "next_due_date", "as_of_date"] as const) {
    const value = record[field];
    if (value === null) continue;
    const [y, m, d] = value.split("-").map(Number) as [number, number, number];
    const spans = index.dates.filter(
      (date) =>
        date.month === m &&
        date.day === d &&
        (date.year === y || (date.year === null && Math.abs(y - refYear) <= policy.yearlessDateMaxYears)),
    );
    cite(field, spans, `date ${value}`);
  }

  if (record.account_last4 !== null) {
    const last4 = record.account_last4;
    const spans: Span[] = [];
    for (const run of index.digits) {
      // The last four digits of a number as written, not four digits from its middle.
      if (run.digits.length < 4 || !run.digits.endsWith(last4)) continue;
      const offsets = run.digitOffsets;
      spans.push(
        offsets.length >= 4 ? { start: offsets[offsets.length - 4]!, end: offsets[offsets.length - 1]! + 1 } : { start: run.start, end: run.end },
      );
    }
    cite("account_last4", spans, "account digits");
  }

  cite("lender_name", findLenderName(index.text, record.lender_name), "lender name");

  const typeSpans = findTypeKeywords(index.text, record.liability_type);
  if (typeSpans.length > 0) citations.liability_type = typeSpans;

  return { citations, reasons };
}

function dedupe(spans: readonly Span[]): Span[] {
  const seen = new Set<string>();
  const out: Span[] = [];
  for (const s of [...spans].sort((a, b) => a.start - b.start || a.end - b.end)) {
    const key = `${s.start}:${s.end}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push({ start: s.start, end: s.end });
    }
  }
  return out;
}

interface Token {
  readonly norm: string;
  readonly start: number;
  readonly end: number;
}

function tokens(text: string): Token[] {
  const out: Token[] = [];
  for (const m of text.matchAll(/[\p{L}\p{N}]+|&/gu)) {
    out.push({ norm: m[0] === "&" ? "and" : m[0].toLowerCase(), start: m.index, end: m.index + m[0].length });
  }
  return out;
}

/** Legal-form words a model may add or drop without changing which lender is meant. */
const LEGAL_SUFFIXES = new Set(["inc", "llc", "ltd", "corp", "corporation", "co", "company", "fsb", "plc", "lp", "na"]);

/**
 * The lender name as a contiguous run of words in the text, ignoring case, punctuation,
 * spacing and a trailing legal form ("N.A.", "Inc."): "Northgate Savings Bank" is found
 * in "NORTHGATE SAVINGS BANK".
 */
export function findLenderName(text: string, name: string): Span[] {
  let wanted = tokens(name).map((t) => t.norm);
  if (wanted[0] === "the" && wanted.length > 1) wanted = wanted.slice(1);
  for (;;) {
    const last = wanted[wanted.length - 1];
    if (wanted.length > 1 && last !== undefined && LEGAL_SUFFIXES.has(last)) wanted = wanted.slice(0, -1);
    else if (wanted.length > 2 && wanted.at(-2) === "n" && last === "a") wanted = wanted.slice(0, -2);
    else break;
  }
  if (wanted.length === 0) return [];
  const hay = tokens(text);
  const spans: Span[] = [];
  for (let i = 0; i + wanted.length <= hay.length; i += 1) {
    let ok = true;
    for (let j = 0; j < wanted.length && ok; j += 1) ok = hay[i + j]!.norm === wanted[j];
    if (ok) spans.push({ start: hay[i]!.start, end: hay[i + wanted.length - 1]!.end });
  }
  return spans;
}

const TYPE_KEYWORDS: Readonly<Record<LiabilityType, RegExp>> = {
  mortgage: /\b(mortgage|home loan|escrow|deed of trust)\b/gi,
  auto_loan: /\b(auto|vehicle|car loan|motor|VIN)\b/gi,
  credit_card: /\b(credit card|visa|mastercard|american express|amex|discover card|card ?member|purchase apr)\b/gi,
  student_loan: /\b(student|education loan|federal direct|loan servicing)\b/gi,
  personal_loan: /\b(personal loan|installment loan|consumer loan)\b/gi,
  heloc: /\b(heloc|home equity|line of credit|draw period)\b/gi,
};

function findTypeKeywords(text: string, type: LiabilityType): Span[] {
  return [...text.matchAll(TYPE_KEYWORDS[type])].map((m) => ({ start: m.index, end: m.index + m[0].length }));
}
