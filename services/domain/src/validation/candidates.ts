import type { RecordField } from "../record.ts";
import { toCents, toThousandths } from "./mentions.ts";
import type { DigitMention, SourceIndex, Span } from "./mentions.ts";

/**
 * The values a document can support, per kind of field, each with the spans that state it.
 * Built from the mention index; the one definition of "stated in the document" that grounding
 * (is this value supported?), the sidecar (which values may the model write?) and training
 * (which values does the prompt show?) share. Pure: no I/O.
 */

/** Fields whose values are quoted from the document; the others are inferred or free text. */
export const GROUNDED_FIELDS = [
  "account_last4",
  "current_balance",
  "payoff_amount",
  "payoff_good_through",
  "escrow_balance",
  "interest_rate",
  "monthly_payment",
  "next_due_date",
  "as_of_date",
] as const satisfies readonly RecordField[];

export type GroundedField = (typeof GROUNDED_FIELDS)[number];

export type CandidateKind = "last4" | "money" | "rate" | "date";

export function candidateKind(field: GroundedField): CandidateKind {
  if (field === "account_last4") return "last4";
  if (field === "interest_rate") return "rate";
  if (field === "payoff_good_through" || field === "next_due_date" || field === "as_of_date") return "date";
  return "money";
}

export interface DocumentCandidates {
  /** Whole cents → where the document states that amount. */
  readonly money: ReadonlyMap<number, readonly Span[]>;
  /** Thousandths of a percent (6.875 → 6875) → spans. */
  readonly rates: ReadonlyMap<number, readonly Span[]>;
  /** "YYYY-MM-DD" → spans. */
  readonly dates: ReadonlyMap<string, readonly Span[]>;
  /** Four digits → spans of those digits. */
  readonly last4: ReadonlyMap<string, readonly Span[]>;
}

export interface CandidateOptions {
  /**
   * Year of the date the document was received. A date written without a year ("due June
   * 9th") may mean the years the document's other dates give and the year after each (a
   * December statement, a January due date); also this year and its neighbours, for
   * documents that give no year at all.
   */
  readonly referenceYear?: number;
  /** How many years either side of the reference year a yearless date may mean (default 1). */
  readonly yearlessDateMaxYears?: number;
  /**
   * Passages that are not the document's own (the lines injectedLines gives): a value stated
   * only there is no candidate, so that decoding cannot copy an attacker's "balance $0.00".
   */
  readonly excluded?: readonly Span[];
}

/** Bounds of what the record's canonical form can hold (see the sidecar's grammar). */
const MAX_MONEY_CENTS = 999_999_999_999_99;
/** A rate is a percentage: larger numbers in the text are phone numbers, ids or amounts. */
const MAX_RATE_THOUSANDTHS = 100_000;
/**
 * A bare integer of this many digits or more, with no $, separators, cents or "dollars", is an
 * identifier (loan number, ZIP+4, reference), not an amount: documents write large amounts with
 * separators or cents.
 */
const MIN_IDENTIFIER_DIGITS = 6;
const MIN_YEAR = 1000;
const MAX_YEAR = 2999;

export function buildCandidates(index: SourceIndex, options: CandidateOptions = {}): DocumentCandidates {
  const excluded = options.excluded ?? [];
  const add = <K>(map: Map<K, Span[]>, key: K, span: Span) => {
    if (!excluded.some((e) => span.start >= e.start && span.end <= e.end)) addSpan(map, key, span);
  };
  const money = new Map<number, Span[]>();
  for (const mention of index.money) {
    if (
      !mention.moneyLike &&
      mention.form === "numeric" &&
      /^\d+$/.test(index.scan.slice(mention.start, mention.end)) &&
      mention.end - mention.start >= MIN_IDENTIFIER_DIGITS
    ) {
      continue;
    }
    for (const cents of mention.cents) {
      if (cents >= 0 && cents <= MAX_MONEY_CENTS) add(money, cents, mention);
    }
  }
  const rates = new Map<number, Span[]>();
  for (const mention of index.numbers) {
    for (const t of mention.thousandths) {
      if (t >= 0 && t <= MAX_RATE_THOUSANDTHS) add(rates, t, mention);
    }
  }
  const dates = new Map<string, Span[]>();
  const yearless = yearsForYearlessDates(index, options.referenceYear, options.yearlessDateMaxYears ?? 1);
  for (const date of index.dates) {
    const years = date.year === null ? yearless : [date.year];
    for (const year of years) {
      if (year >= MIN_YEAR && year <= MAX_YEAR && isCalendarDate(year, date.month, date.day)) {
        add(dates, isoDate(year, date.month, date.day), date);
      }
    }
  }
  const last4 = new Map<string, Span[]>();
  for (const run of index.digits) {
    if (run.digits.length < 4 || notAnAccountNumber(index, run)) continue;
    const offsets = run.digitOffsets;
    // The span of the last four digits as written, not of the whole number.
    const span = offsets.length >= 4 ? { start: offsets[offsets.length - 4]!, end: offsets[offsets.length - 1]! + 1 } : run;
    add(last4, run.digits.slice(-4), span);
  }
  return { money, rates, dates, last4 };
}

/** Phone numbers as they are written: 1-800-555-0142, (888) 555-0288, 877.555.0826, 800 555 0142. */
const PHONE = /^(?:\+?1[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4}$/;
/** Numbers that documents label as something other than an account. */
const OTHER_NUMBER_LABEL =
  /\b(?:reference|ref|confirmation|conf|ticket|case|tracking|nmls|routing|aba|transit|zip|postal|phone|tel|telephone|fax|extension|ext|ssn|social\s+security|social)\b(?:\s+(?:number|no\.?|num|id|code|#))?(?:\s+(?:is|was))?[\s#:.-]*$/i;

/**
 * Digit strings that are something else, whose last four digits are never an account's: part
 * of a date (a year), of an amount written as money ("$4,392.52"), a phone number, or a number
 * the text labels as a reference, routing number, ZIP code, phone or Social Security number.
 */
function notAnAccountNumber(index: SourceIndex, run: DigitMention): boolean {
  if (index.dates.some((d) => run.start < d.end && d.start < run.end)) return true;
  const overlapsMoney = index.money.some(
    (m) => m.moneyLike && m.form === "numeric" && run.start < m.end && m.start < run.end && /[$.,]/.test(index.scan.slice(m.start, m.end)),
  );
  if (overlapsMoney) return true;
  // A phone number's digit groups may be separate runs ("(888) 555-0288", "877.555.0826"): try
  // the text ending at this run from each of the few starts a phone number can have.
  for (let back = 0; back <= 16 && back <= run.start; back++) {
    if (PHONE.test(index.scan.slice(run.start - back, run.end))) return true;
  }
  const lineStart = index.scan.lastIndexOf("\n", run.start - 1) + 1;
  return OTHER_NUMBER_LABEL.test(index.scan.slice(Math.max(lineStart, run.start - 40), run.start));
}

function addSpan<K>(map: Map<K, Span[]>, key: K, span: Span): void {
  const spans = map.get(key);
  const own = { start: span.start, end: span.end };
  if (spans === undefined) map.set(key, [own]);
  else if (!spans.some((s) => s.start === own.start && s.end === own.end)) spans.push(own);
}

function yearsForYearlessDates(index: SourceIndex, referenceYear: number | undefined, spread: number): number[] {
  const years = new Set<number>();
  for (const date of index.dates) {
    if (date.year !== null) years.add(date.year).add(date.year + 1);
  }
  if (referenceYear !== undefined) {
    for (let year = referenceYear - spread; year <= referenceYear + spread; year++) years.add(year);
  }
  return [...years].sort((a, b) => a - b);
}

function isCalendarDate(year: number, month: number, day: number): boolean {
  const d = new Date(Date.UTC(year, month - 1, day));
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
}

function isoDate(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

/**
 * The values a field may take, as the record's canonical JSON writes them (numbers as
 * JSON.stringify writes them, strings quoted), in a stable order. `null` is always allowed
 * as well and is not listed.
 */
/**
 * Fields that fall due after the document's date, with the fewest days after it they can be:
 * the next due date comes after the statement or call (0 of the labelled documents have it on
 * the same day), a payoff may be good through the day it is quoted.
 */
export const DUE_AFTER_AS_OF: ReadonlyMap<GroundedField, number> = new Map<GroundedField, number>([
  ["next_due_date", 1],
  ["payoff_good_through", 0],
]);

/**
 * Whether `date` can be a due or good-through date of a document dated `asOf` (ISO dates): at
 * least `minDays` after it and within the year after it. A yearless "January first" on a
 * December call is next January's. Holds for every labelled document of the corpus splits and
 * the dev set but one.
 */
export function dueWithinAYearOf(date: string, asOf: string, minDays = 0): boolean {
  const days = (Date.parse(`${date}T00:00:00Z`) - Date.parse(`${asOf}T00:00:00Z`)) / 86_400_000;
  return days >= minDays && days <= 366;
}

export function candidateJsonValues(candidates: DocumentCandidates, field: GroundedField): string[] {
  const kind = candidateKind(field);
  switch (kind) {
    case "money":
      return [...candidates.money.keys()].sort((a, b) => a - b).map((cents) => candidateJson(kind, cents));
    case "rate":
      return [...candidates.rates.keys()].sort((a, b) => a - b).map((t) => candidateJson(kind, t));
    case "date":
      return [...candidates.dates.keys()].sort().map((d) => candidateJson(kind, d));
    case "last4":
      return [...candidates.last4.keys()].sort().map((d) => candidateJson(kind, d));
  }
}

/** A candidate's key (cents, thousandths of a percent, ISO date, four digits) as the record's canonical JSON. */
export function candidateJson(kind: CandidateKind, key: number | string): string {
  if (kind === "money" && typeof key === "number") return JSON.stringify(key / 100);
  if (kind === "rate" && typeof key === "number") return JSON.stringify(key / 1000);
  return JSON.stringify(key);
}

/** Where the document states `value` for `field`; empty when it does not. */
export function candidateSpans(candidates: DocumentCandidates, field: GroundedField, value: number | string): readonly Span[] {
  switch (candidateKind(field)) {
    case "money":
      return typeof value === "number" ? (candidates.money.get(toCents(Math.abs(value))) ?? []) : [];
    case "rate":
      return typeof value === "number" ? (candidates.rates.get(toThousandths(value)) ?? []) : [];
    case "date":
      return typeof value === "string" ? (candidates.dates.get(value) ?? []) : [];
    case "last4":
      return typeof value === "string" ? (candidates.last4.get(value) ?? []) : [];
  }
}

/** Longest lender name the record's grammar allows. */
const MAX_NAME_CHARS = 120;
const MAX_NAME_WORDS = 8;

/**
 * One-word phrases that documents and call recordings use for their own structure (headers,
 * speaker tags, menu systems, greetings): never a lender's whole name.
 */
const NOT_A_NAME = new Set([
  "webvtt",
  "ivr",
  "verification",
  "transcript",
  "transcription",
  "recording",
  "recorded",
  "call",
  "agent",
  "representative",
  "rep",
  "caller",
  "customer",
  "speaker",
  "operator",
  "borrower",
  "member",
  "system",
  "automated",
  "statement",
  "page",
  "note",
  "notes",
  "summary",
  "date",
  "account",
  "loan",
  "balance",
  "payment",
  "payoff",
  "hello",
  "hi",
  "thanks",
  "thank",
  "yes",
  "okay",
  "ok",
  "sure",
  "great",
  "perfect",
  // Speaker tags of other call centres, and a statement's own headings and figures' names.
  "csr",
  "specialist",
  "associate",
  "advisor",
  "adviser",
  "banker",
  "officer",
  "analyst",
  "collector",
  "client",
  "minimum",
  "total",
  "amount",
  "due",
  "interest",
  "principal",
  "escrow",
  "previous",
  "current",
  "new",
  "fees",
  "charges",
  "transactions",
  "activity",
  "important",
  "notice",
  "please",
  "welcome",
  "dear",
  "sincerely",
  "subject",
  "questions",
]);

/**
 * The phrases a lender name may be, as the record would carry them: runs of up to eight words
 * on one line that start with a capital or a digit and do not cross a sentence or clause break
 * ("Pinecrest Auto Credit, this is Dana" gives "Pinecrest Auto Credit" but nothing past the
 * comma), each as written and, where it has words in capitals, with those words in title case
 * ("NORTHGATE SAVINGS BANK" → "Northgate Savings Bank"), which is how records write names.
 * Phrases with quotes or backslashes are left out (no lender is named that way).
 */
export function lenderNameCandidates(text: string): string[] {
  const out = new Set<string>();
  // Caption and markup tags ("<v Zach>Castellano & …") are not part of any name.
  for (const line of text.replace(/<[^<>\n]{0,40}>/g, " ").split(/\r?\n/)) {
    const words = [...line.matchAll(/\S+/g)].map((m) => splitWord(m[0]));
    for (let i = 0; i < words.length; i++) {
      if (!/^[\p{Lu}\d]/u.test(words[i]!.word)) continue;
      const phrase: string[] = [];
      for (let j = i; j < words.length && phrase.length < MAX_NAME_WORDS; j++) {
        const { word, breaksAfter } = words[j]!;
        if (word === "") break;
        phrase.push(word);
        const joined = phrase.join(" ");
        if (joined.length > MAX_NAME_CHARS) break;
        const structural = phrase.length === 1 && NOT_A_NAME.has(word.toLowerCase());
        if (/\p{L}/u.test(joined) && !/["\\]/.test(joined) && !structural) {
          out.add(joined);
          out.add(phrase.map(titleCase).join(" "));
        }
        if (breaksAfter) break;
      }
    }
  }
  return [...out].sort();
}

/** A word without surrounding quotes and brackets, and whether punctuation after it ends the phrase. */
function splitWord(raw: string): { word: string; breaksAfter: boolean } {
  const stripped = raw.replace(/^[("'[{<*•-]+/u, "");
  const trailing = /[.,;:!?)"'\]}>]+$/u.exec(stripped);
  let word = trailing ? stripped.slice(0, trailing.index) : stripped;
  let breaksAfter = trailing !== null;
  // "N.A." and "Inc." keep their full stop and do not end the name.
  if (trailing?.[0] === "." && /^(?:[\p{L}]\.)+[\p{L}]?$|^(?:inc|co|corp|ltd|llc|fsb|na)$/iu.test(word)) {
    word = `${word}.`;
    breaksAfter = false;
  }
  return { word, breaksAfter };
}

function titleCase(word: string): string {
  return /^\p{Lu}{2,}$/u.test(word) ? word[0] + word.slice(1).toLowerCase() : word;
}
