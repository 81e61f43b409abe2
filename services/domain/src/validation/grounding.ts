import type { LiabilityRecord, LiabilityType, RecordField } from "../record.ts";
import { buildCandidates, candidateKind, candidateSpans, GROUNDED_FIELDS } from "./candidates.ts";
import type { GroundedField } from "./candidates.ts";
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
export function checkGrounding(record: LiabilityRecord, index: SourceIndex, referenceDate: Date, policy: ValidationPolicy): GroundingResult {
  const citations: Citations = {};
  const reasons: ValidationReason[] = [];
  const cite = (field: RecordField, spans: readonly Span[], what: string) => {
    if (spans.length > 0) citations[field] = dedupe(spans);
    else reasons.push({ rule: RULES.ungrounded, field, message: `${field}: ${what} is not stated in the source text` });
  };

  const candidates = buildCandidates(index, {
    referenceYear: referenceDate.getUTCFullYear(),
    yearlessDateMaxYears: policy.yearlessDateMaxYears,
  });
  for (const field of GROUNDED_FIELDS) {
    const value = record[field];
    if (value === null) continue;
    cite(field, candidateSpans(candidates, field, value), describe(field, value));
  }

  cite("lender_name", findLenderName(index.text, record.lender_name), "lender name");

  const typeSpans = findTypeKeywords(index.text, record.liability_type);
  if (typeSpans.length > 0) citations.liability_type = typeSpans;

  return { citations, reasons };
}

/** What kind of value was not found, without the value itself where it could identify the account. */
function describe(field: GroundedField, value: number | string): string {
  switch (candidateKind(field)) {
    case "money":
      return `amount ${(value as number).toFixed(2)}`;
    case "rate":
      return `rate ${value}%`;
    case "date":
      return `date ${value}`;
    case "last4":
      return "account digits";
  }
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
