import {
  findNumberWordRuns,
  spokenAmountCandidatesInCents,
  spokenDay,
  spokenDigitStrings,
  spokenYear,
  parseCardinal,
  parseDigitGroups,
} from "./spoken-numbers.ts";
import type { NumberWordRun } from "./spoken-numbers.ts";

/**
 * Everything in a document's text that could support a value in a record: amounts,
 * plain numbers (rates), dates and digit strings, each with where it sits. Built once
 * per document and shared by the grounding and consistency rules. Pure: no I/O.
 *
 * Offsets are UTF-16 code unit offsets into the text, as String.prototype.slice uses them.
 */

export interface Span {
  readonly start: number;
  readonly end: number;
}

export interface MoneyMention extends Span {
  /** Every amount, in whole cents, that the mention could mean. */
  readonly cents: ReadonlySet<number>;
  readonly form: "numeric" | "words";
  /**
   * Written the way amounts are ("$46", "1,234.56", "… dollars", "four twelve fifty"),
   * as opposed to a bare small number ("press 2") that only grounds a value.
   */
  readonly moneyLike: boolean;
}

export interface NumberMention extends Span {
  /** Every value the mention could mean, in thousandths (6.875 → 6875). */
  readonly thousandths: ReadonlySet<number>;
  readonly percent: boolean;
}

export interface DateMention extends Span {
  /** Null when the text gives no year ("due June 9th"). */
  readonly year: number | null;
  readonly month: number;
  readonly day: number;
}

export interface DigitMention extends Span {
  /** Digits in order, separators dropped. */
  readonly digits: string;
  /** Offset of each digit, for the span of the last four; empty for spoken digits. */
  readonly digitOffsets: readonly number[];
}

export interface SourceIndex {
  /** The document text as received; citations index into it. */
  readonly text: string;
  /** The same text with speech fillers blanked out (same length, same offsets), for scanning. */
  readonly scan: string;
  readonly money: readonly MoneyMention[];
  readonly numbers: readonly NumberMention[];
  readonly dates: readonly DateMention[];
  readonly digits: readonly DigitMention[];
}

const MONTHS: Readonly<Record<string, number>> = {
  jan: 1,
  january: 1,
  feb: 2,
  february: 2,
  mar: 3,
  march: 3,
  apr: 4,
  april: 4,
  may: 5,
  jun: 6,
  june: 6,
  jul: 7,
  july: 7,
  aug: 8,
  august: 8,
  sep: 9,
  sept: 9,
  september: 9,
  oct: 10,
  october: 10,
  nov: 11,
  november: 11,
  dec: 12,
  december: 12,
};
const MONTH_PATTERN =
  "(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)";

export function toCents(value: number): number {
  return Math.round(Number((value * 100).toPrecision(12)));
}

export function toThousandths(value: number): number {
  return Math.round(Number((value * 1000).toPrecision(12)));
}

function overlaps(a: Span, spans: readonly Span[]): boolean {
  return spans.some((b) => a.start < b.end && b.start < a.end);
}

/**
 * Speech-to-text keeps hesitations inside figures and dates ("10,184 dollars um and 56 cents",
 * "December uh 25"). They are replaced by spaces of the same length, so that every offset found
 * in the scanned text is an offset in the original.
 */
function blankFillers(text: string): string {
  return text.replace(/\b(?:um+|uh+|erm|er|ah|hmm)\b,?/gi, (m) => " ".repeat(m.length));
}

export function buildSourceIndex(original: string): SourceIndex {
  const text = blankFillers(original);
  const wordRuns = findNumberWordRuns(text);
  const dates = withSpokenYears(text, findDates(text), wordRuns);
  const spokenDates = findSpokenDates(text, wordRuns);
  const allDates = [...dates, ...spokenDates];
  const mixed = findMixedAmounts(text);
  const { money, numbers } = findNumericAmounts(text, [...allDates, ...mixed]);
  money.push(...mixed);
  for (const run of wordRuns) {
    if (overlaps(run, allDates)) continue;
    const words = run.tokens.map((t) => t.word);
    let cents = spokenAmountCandidatesInCents(words);
    // "fourteen thousand one hundred seventy-nine even": whole dollars, no cents in it.
    if (/^[ \t]+even\b/i.test(text.slice(run.end, run.end + 8))) {
      const whole = new Set([...cents].filter((c) => c % 100 === 0));
      if (whole.size > 0) cents = whole;
    }
    const numberWords = words.filter((w) => !["and", "a", "an", "point", "dollar", "dollars", "bucks", "cent", "cents"].includes(w));
    const moneyLike = words.some((w) => /^(dollars?|bucks|cents?)$/.test(w)) || numberWords.length >= 2;
    if (cents.size > 0) money.push({ start: run.start, end: run.end, cents, form: "words", moneyLike });
    const rate = spokenRateThousandths(words);
    if (rate.size > 0) {
      const after = text.slice(run.end, run.end + 12);
      numbers.push({ start: run.start, end: run.end, thousandths: rate, percent: /^\s*(percent|%)/i.test(after) });
    }
  }
  const digits = [...findDigitRuns(text), ...findSpokenDigitRuns(wordRuns)];
  money.sort((a, b) => a.start - b.start);
  numbers.sort((a, b) => a.start - b.start);
  allDates.sort((a, b) => a.start - b.start);
  return { text: original, scan: text, money, numbers, dates: allDates, digits };
}

/**
 * Numerals: "$1,234.56", "1234.56", "$  612.09", "$46", "$1.2 million". A numeral with
 * more than two decimals or a percent sign is a number (rate), not money. Numerals that
 * are part of a date are neither.
 */
function findNumericAmounts(text: string, dates: readonly Span[]): { money: MoneyMention[]; numbers: NumberMention[] } {
  const money: MoneyMention[] = [];
  const numbers: NumberMention[] = [];
  const re = /(\$\s{0,3})?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(?:\s?(thousand|million|k|m)\b)?(\s?(?:%|percent\b|pct\b))?/gi;
  for (const m of text.matchAll(re)) {
    const start = m.index;
    const end = start + m[0].length;
    const before = text[start - 1] ?? "";
    const after = text[end] ?? "";
    // Text recognition reads "$" as "S" ("S5,689.03"); with separators or cents it is still an amount.
    const ocrDollar = before === "S" && !/[\p{L}\d]/u.test(text[start - 2] ?? "") && /^(\d{1,3}(,\d{3})+|\d+)(\.\d{2})?$/.test(m[0]) && /[,.]/.test(m[0]);
    // Part of a longer token (an id, a time, a version) rather than a number on its own.
    if (!ocrDollar && (/[\p{L}\d_]/u.test(before) || (before === "." && /\d/.test(text[start - 2] ?? "")))) continue;
    if (/[\p{L}\d]/u.test(after)) continue;
    const span = { start, end };
    if (overlaps(span, dates)) continue;
    const intPart = m[2]!.replace(/,/g, "");
    const frac = m[3] ?? "";
    const scaleWord = m[4]?.toLowerCase();
    const scale = scaleWord === "thousand" || scaleWord === "k" ? 1_000 : scaleWord === "million" || scaleWord === "m" ? 1_000_000 : 1;
    const value = Number(`${intPart}${frac ? `.${frac}` : ""}`) * scale;
    if (!Number.isFinite(value)) continue;
    const percent = m[5] !== undefined;
    numbers.push({ start, end, thousandths: new Set([toThousandths(value)]), percent });
    if (!percent && (frac.length <= 2 || scale > 1)) {
      const moneyLike = m[1] !== undefined || ocrDollar || m[2]!.includes(",") || frac.length === 2 || scale > 1;
      money.push({ start, end, cents: new Set([toCents(value)]), form: "numeric", moneyLike });
    }
  }
  return { money, numbers };
}

/** Numerals with spoken units, as transcribed calls write them: "505 dollars and 18 cents", "1,200 dollars". */
function findMixedAmounts(text: string): MoneyMention[] {
  const out: MoneyMention[] = [];
  // "505 dollars and 18 cents", "1,200 dollars", "$37,638 and 86 cents", "$82 and eighty cents".
  const re = /(?<![\d.,])(\$\s*)?(\d{1,3}(?:,\d{3})+|\d+)(\s+dollars?)?(?:\s+and\s+(\d{1,2}|[a-z]+(?:[- ][a-z]+)?)\s+cents?)?\b/gi;
  for (const m of text.matchAll(re)) {
    const hasDollarSign = m[1] !== undefined;
    const hasDollarWord = m[3] !== undefined;
    const centsText = m[4];
    if (!hasDollarWord && !(hasDollarSign && centsText !== undefined)) continue;
    const dollars = Number(m[2]!.replace(/,/g, ""));
    let cents = 0;
    if (centsText !== undefined) {
      const spoken = /^\d+$/.test(centsText) ? Number(centsText) : parseCardinal(centsText.toLowerCase().split(/[- ]/));
      if (spoken === null || spoken > 99) continue;
      cents = spoken;
    }
    out.push({ start: m.index, end: m.index + m[0].length, cents: new Set([dollars * 100 + cents]), form: "numeric", moneyLike: true });
  }
  return out;
}

function validDate(year: number | null, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1 || day > 31) return false;
  const y = year ?? 2000; // a leap year, so that a yearless 29 February stays possible
  const d = new Date(Date.UTC(y, month - 1, day));
  return d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
}

function fullYear(y: string): number {
  return y.length === 2 ? 2000 + Number(y) : Number(y);
}

/** Written dates: 2026-04-02, 04/02/2026, 4/2/26, 04/02, April 2, 2026, June 9th, 2026, 2 April 2026, Apr. 2. */
function findDates(text: string): DateMention[] {
  const out: DateMention[] = [];
  const push = (start: number, end: number, year: number | null, month: number, day: number) => {
    if (validDate(year, month, day) && !overlaps({ start, end }, out)) out.push({ start, end, year, month, day });
  };
  for (const m of text.matchAll(/(?<![\d/.-])(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?![\d/-]|\.\d)/g)) {
    push(m.index, m.index + m[0].length, Number(m[1]), Number(m[3]), Number(m[4]));
  }
  for (const m of text.matchAll(/(?<![\d/.-])(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?![\d/-]|\.\d)/g)) {
    const a = Number(m[1]);
    const b = Number(m[3]);
    const year = fullYear(m[4]!);
    // US documents write month first; a first number over 12 can only be a day.
    if (a > 12) push(m.index, m.index + m[0].length, year, b, a);
    else push(m.index, m.index + m[0].length, year, a, b);
  }
  for (const m of text.matchAll(/(?<![\d/.$,-])(\d{1,2})\/(\d{1,2})(?![\d/.,]\d|[\d/])/g)) {
    push(m.index, m.index + m[0].length, null, Number(m[1]), Number(m[2]));
  }
  const monthFirst = new RegExp(
    // The day must not run on into a decimal or a percent: "APR 22.49%" is a rate, not 22 April.
    `\\b${MONTH_PATTERN}\\.?(?:[ \\t]{1,8}|[ \\t]*\\r?\\n[ \\t]*)(\\d{1,2})(?:st|nd|rd|th)?(?!\\d|\\.\\d|\\s?%)\\b(?:,?\\s+(\\d{4})\\b|,?\\s+'(\\d{2})\\b)?`,
    "gi",
  );
  for (const m of text.matchAll(monthFirst)) {
    // Across a line break only a full month name continues: "APR" at a line's end is a rate label.
    const abbreviated = m[1]!.length <= 4 && !["may", "june", "july"].includes(m[1]!.toLowerCase());
    const breakBeforeDay = m[0].slice(m[1]!.length).search(/\d/) > m[0].slice(m[1]!.length).search(/\n/) && m[0].slice(m[1]!.length).search(/\n/) >= 0;
    if (breakBeforeDay && abbreviated && !m[0].startsWith(`${m[1]}.`)) continue;
    const month = MONTHS[m[1]!.toLowerCase()]!;
    const year = m[3] ? Number(m[3]) : m[4] ? fullYear(m[4]) : null;
    push(m.index, m.index + m[0].length, year, month, Number(m[2]));
  }
  const dayFirst = new RegExp(
    `(?<![\\d.,$])\\b(\\d{1,2})(?:st|nd|rd|th)?(?:[ \\t]+|[ \\t]*\\r?\\n[ \\t]*)(?:of[ \\t]+)?${MONTH_PATTERN}\\b\\.?(?:,?\\s+(\\d{4})\\b)?`,
    "gi",
  );
  for (const m of text.matchAll(dayFirst)) {
    const month = MONTHS[m[2]!.toLowerCase()]!;
    push(m.index, m.index + m[0].length, m[3] ? Number(m[3]) : null, month, Number(m[1]));
  }
  // Mainframe and form styles: 21-FEB-2024, 30JAN25, 07/Jun/2027, FEB-21-2024.
  const compactDayFirst = new RegExp(`(?<![\\d\\p{L}])(\\d{1,2})([-/ ]?)${MONTH_PATTERN}\\2(\\d{4}|\\d{2})(?![\\d\\p{L}])`, "giu");
  for (const m of text.matchAll(compactDayFirst)) {
    push(m.index, m.index + m[0].length, fullYear(m[4]!), MONTHS[m[3]!.toLowerCase()]!, Number(m[1]));
  }
  const compactMonthFirst = new RegExp(`(?<![\\d\\p{L}])${MONTH_PATTERN}([-/])(\\d{1,2})\\2(\\d{4}|\\d{2})(?![\\d\\p{L}])`, "giu");
  for (const m of text.matchAll(compactMonthFirst)) {
    push(m.index, m.index + m[0].length, fullYear(m[4]!), MONTHS[m[1]!.toLowerCase()]!, Number(m[3]));
  }
  return out;
}

/**
 * A written day with its year said in words, as call transcripts render them: "November 2, two
 * thousand twenty-six", "July 26, twenty twenty-seven". The year joins the date (and its words
 * are then no amount).
 */
function withSpokenYears(text: string, dates: readonly DateMention[], runs: readonly NumberWordRun[]): DateMention[] {
  return dates.map((date) => {
    if (date.year !== null) return date;
    const run = runs.find((r) => r.start >= date.end && /^,?[ \t]+$/.test(text.slice(date.end, r.start)));
    const year = run ? spokenYear(run.tokens.map((t) => t.word)) : null;
    return run && year !== null ? { ...date, end: run.end, year } : date;
  });
}

/** Spoken dates: "June ninth, twenty twenty-six", "May first", "the ninth of June". */
function findSpokenDates(text: string, runs: readonly NumberWordRun[]): DateMention[] {
  const out: DateMention[] = [];
  const monthRe = new RegExp(`\\b${MONTH_PATTERN}\\b\\.?`, "gi");
  for (const m of text.matchAll(monthRe)) {
    const month = MONTHS[m[1]!.toLowerCase()]!;
    const monthEnd = m.index + m[0].length;
    // Month then words: the run must start right after the month name.
    const after = runs.find((r) => r.start > monthEnd && /^\s+((the|um|uh|er|erm|ah)\s+)*$/i.test(text.slice(monthEnd, r.start)));
    if (after) {
      const words = after.tokens.map((t) => t.word);
      for (const dayLen of [2, 1]) {
        if (dayLen > words.length) continue;
        const day = spokenDay(words.slice(0, dayLen));
        if (day === null) continue;
        const yearTokens = after.tokens.slice(dayLen);
        const year = yearTokens.length > 0 ? spokenYear(yearTokens.map((t) => t.word)) : null;
        let end = year !== null ? after.end : after.tokens[dayLen - 1]!.end;
        let finalYear = year;
        if (year === null) {
          // The year may be written in digits after spoken day: "June ninth, 2026".
          const digits = /^,?\s+(\d{4})\b/.exec(text.slice(end));
          if (digits) {
            finalYear = Number(digits[1]);
            end += digits[0].length;
          }
        }
        if (validDate(finalYear, month, day)) {
          out.push({ start: m.index, end, year: finalYear, month, day });
          break;
        }
      }
    }
    // Words then month: "the ninth of June".
    const before = runs.find((r) => r.end < m.index && /^\s+(of\s+)?$/i.test(text.slice(r.end, m.index)));
    if (before) {
      const day = spokenDay(before.tokens.slice(-2).map((t) => t.word)) ?? spokenDay(before.tokens.slice(-1).map((t) => t.word));
      if (day !== null && validDate(null, month, day)) {
        const yearMatch = /^,?\s+(\d{4})\b/.exec(text.slice(monthEnd));
        const year = yearMatch ? Number(yearMatch[1]) : null;
        out.push({ start: before.start, end: monthEnd + (yearMatch?.[0].length ?? 0), year, month, day });
      }
    }
  }
  return out;
}

/** Digit strings possibly broken by single spaces or hyphens: "4402 9913 8860", "7712-004-5518", "****0931". */
function findDigitRuns(text: string): DigitMention[] {
  const out: DigitMention[] = [];
  for (const m of text.matchAll(/\d+(?:[ -]\d+)*/g)) {
    const digitOffsets: number[] = [];
    let digits = "";
    for (let i = 0; i < m[0].length; i += 1) {
      const ch = m[0][i]!;
      if (ch >= "0" && ch <= "9") {
        digits += ch;
        digitOffsets.push(m.index + i);
      }
    }
    out.push({ start: m.index, end: m.index + m[0].length, digits, digitOffsets });
  }
  return out;
}

function findSpokenDigitRuns(runs: readonly NumberWordRun[]): DigitMention[] {
  const out: DigitMention[] = [];
  for (const run of runs) {
    for (const digits of spokenDigitStrings(run.tokens.map((t) => t.word))) {
      if (digits.length >= 4) out.push({ start: run.start, end: run.end, digits, digitOffsets: [] });
    }
  }
  return out;
}

const FRACTIONS: Readonly<Record<string, number>> = {
  "a half": 500,
  "one half": 500,
  "a quarter": 250,
  "one quarter": 250,
  "three quarters": 750,
  "an eighth": 125,
  "one eighth": 125,
  "three eighths": 375,
  "five eighths": 625,
  "seven eighths": 875,
};

/** Rates said as words: "six point one five (percent)", "six and a quarter", "twenty-two point four nine". */
function spokenRateThousandths(words: readonly string[]): Set<number> {
  const out = new Set<number>();
  const pointIdx = words.indexOf("point");
  if (pointIdx > 0) {
    const whole = parseCardinal(words.slice(0, pointIdx));
    const frac = parseDigitGroups(words.slice(pointIdx + 1));
    if (whole !== null && frac !== null && frac.digits.length <= 3) {
      out.add(toThousandths(Number(`${whole}.${frac.digits}`)));
    }
    return out;
  }
  const andIdx = words.indexOf("and");
  if (andIdx > 0) {
    const whole = parseCardinal(words.slice(0, andIdx));
    const fraction = FRACTIONS[words.slice(andIdx + 1).join(" ")];
    if (whole !== null && fraction !== undefined) out.add(whole * 1000 + fraction);
  }
  const whole = parseCardinal(words);
  if (whole !== null && whole <= 100) out.add(whole * 1000);
  return out;
}
