import { liabilityRecordSchema, normaliseLenderName } from "@liability/domain";
import type { LiabilityRecord, LiabilityType, RecordField } from "@liability/domain";

/*
 * Label validator: checks that a label could have been written by someone reading only
 * the text. Every non-null value must appear in the text in some accepted written or
 * spoken form, and a null must not sit next to an unmistakable label-and-value pair
 * for that field. It parses the text independently of the generator's formatters, so
 * a formatting bug in the generator shows up here instead of being mirrored.
 */

export interface LabelIssue {
  field: RecordField | "record";
  problem: "schema" | "unsupported" | "implausible_null";
  detail: string;
}

// ---------------------------------------------------------------- number words

const SMALL: Record<string, number> = {
  zero: 0,
  oh: 0,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  thirteen: 13,
  fourteen: 14,
  fifteen: 15,
  sixteen: 16,
  seventeen: 17,
  eighteen: 18,
  nineteen: 19,
};
const TENS: Record<string, number> = { twenty: 20, thirty: 30, forty: 40, fifty: 50, sixty: 60, seventy: 70, eighty: 80, ninety: 90 };
const ORDINALS: Record<string, number> = {
  first: 1,
  second: 2,
  third: 3,
  fourth: 4,
  fifth: 5,
  sixth: 6,
  seventh: 7,
  eighth: 8,
  ninth: 9,
  tenth: 10,
  eleventh: 11,
  twelfth: 12,
  thirteenth: 13,
  fourteenth: 14,
  fifteenth: 15,
  sixteenth: 16,
  seventeenth: 17,
  eighteenth: 18,
  nineteenth: 19,
  twentieth: 20,
  thirtieth: 30,
};

/** Value of one token below 100: "seven", "forty", "thirty-seven". */
function smallToken(tok: string): number | null {
  if (tok in SMALL && tok !== "oh") return SMALL[tok]!;
  if (tok in TENS) return TENS[tok]!;
  const m = /^([a-z]+)-([a-z]+)$/.exec(tok);
  if (m && m[1]! in TENS && m[2]! in SMALL && SMALL[m[2]!]! > 0 && SMALL[m[2]!]! < 10) return TENS[m[1]!]! + SMALL[m[2]!]!;
  return null;
}

function ordinalToken(tok: string): number | null {
  if (tok in ORDINALS) return ORDINALS[tok]!;
  const m = /^([a-z]+)-([a-z]+)$/.exec(tok);
  if (m && m[1]! in TENS && m[2]! in ORDINALS && ORDINALS[m[2]!]! < 10) return TENS[m[1]!]! + ORDINALS[m[2]!]!;
  const d = /^(\d{1,2})(st|nd|rd|th)$/.exec(tok);
  if (d) return Number(d[1]);
  return null;
}

/** Parses a cardinal such as "two hundred and four thousand six" from tokens[i]. */
function cardinalAt(tokens: readonly string[], i: number): { value: number; end: number } | null {
  let total = 0;
  let current = 0;
  let last: "none" | "small" | "tens" | "hundred" | "scale" = "none";
  let j = i;
  for (; j < tokens.length; j++) {
    const t = tokens[j]!;
    const v = smallToken(t);
    if (v !== null) {
      const isTens = t in TENS;
      const isCompound = t.includes("-");
      if (last === "none" || last === "hundred" || last === "scale") {
        current += v;
        last = isTens ? "tens" : "small";
        continue;
      }
      if (last === "tens" && !isTens && !isCompound && v < 10 && v > 0) {
        current += v;
        last = "small";
        continue;
      }
      break;
    }
    if (t === "hundred" && (last === "small" || last === "tens") && current % 100 > 0 && current < 100) {
      current *= 100;
      last = "hundred";
      continue;
    }
    if ((t === "thousand" || t === "million") && last !== "none" && last !== "scale") {
      total += current * (t === "thousand" ? 1000 : 1_000_000);
      current = 0;
      last = "scale";
      continue;
    }
    if (t === "and" && (last === "hundred" || last === "scale") && j + 1 < tokens.length && smallToken(tokens[j + 1]!) !== null) continue;
    break;
  }
  if (last === "none") return null;
  return { value: total + current, end: j };
}

/** Hesitations a listener skips over, even in the middle of a number. */
const FILLERS = new Set(["uh", "um", "er", "ah", "erm"]);

/** Lower case without hesitation words, so "31.31 um percent" reads as 31.31%. */
function clean(text: string): string {
  return text.toLowerCase().replace(/\b(?:uh|um|er|ah|erm)\b\s*/g, "");
}

function wordTokens(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9'\-$.,% ]+/g, " ")
    .split(/[\s]+|(?<=[a-z])[.,](?=\s|$)/)
    .map((t) => t.replace(/^[.,]+|[.,]+$/g, ""))
    .filter((t) => t !== "" && !FILLERS.has(t));
}

// ---------------------------------------------------------------- candidate values in the text

function cents(v: number): number {
  return Math.round(Number((v * 100).toPrecision(12)));
}

/** Every amount the text states, in cents: digits in any US format, words, colloquial groups. */
export function moneyCandidates(text: string): Set<number> {
  const out = new Set<number>();
  const lower = clean(text);
  for (const m of lower.matchAll(/(?<![\d.])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?(?!\d)/g)) {
    const whole = Number(m[1]!.replace(/,/g, ""));
    const frac = m[2] ? Number(m[2].padEnd(2, "0")) : 0;
    out.add(whole * 100 + frac);
  }
  // "31,631 dollars and 35 cents", "$74,975 and 18 cents"
  for (const m of lower.matchAll(/(\d{1,3}(?:,\d{3})+|\d+)(?: dollars?)? and (\d{1,2}) cents?/g)) {
    out.add(Number(m[1]!.replace(/,/g, "")) * 100 + Number(m[2]));
  }
  const toks = wordTokens(lower);
  for (let i = 0; i < toks.length; i++) {
    const c = cardinalAt(toks, i);
    if (!c) continue;
    let value = c.value * 100;
    if (/^dollars?$/.test(toks[c.end] ?? "")) {
      const k = c.end + 1;
      if (toks[k] === "and") {
        const cc = cardinalAt(toks, k + 1);
        if (cc && /^cents?$/.test(toks[cc.end] ?? "")) value += cc.value;
        const d = /^(\d{1,2})$/.exec(toks[k + 1] ?? "");
        if (d && /^cents?$/.test(toks[k + 2] ?? "")) value += Number(d[1]);
      }
    }
    out.add(value);
    // Colloquial "four twelve fifty" = 412.50: three single-token groups below 100.
    const g = [toks[i], toks[i + 1], toks[i + 2]].map((t) => (t === undefined ? null : smallToken(t)));
    if (g[0] !== null && g[1] !== null && g[2] !== null && g[0]! > 0 && g[1]! >= 10 && g[2]! >= 10) {
      out.add((g[0]! * 100 + g[1]!) * 100 + g[2]!);
    }
  }
  return out;
}

/** Every percentage the text states, in thousandths of a percent. */
export function rateCandidates(text: string): Set<number> {
  const out = new Set<number>();
  const lower = clean(text);
  for (const m of lower.matchAll(/(\d+(?:\.\d+)?)\s*(%|percent|pct)/g)) out.add(Math.round(Number(m[1]) * 1000));
  const toks = wordTokens(lower);
  for (let i = 0; i < toks.length; i++) {
    const c = cardinalAt(toks, i);
    if (!c) continue;
    let k = c.end;
    let value = c.value;
    if (toks[k] === "point") {
      let digits = "";
      k++;
      while (k < toks.length && toks[k]! in SMALL && SMALL[toks[k]!]! < 10) digits += String(SMALL[toks[k++]!]);
      if (!digits) continue;
      value = Number(`${c.value}.${digits}`);
    } else if (toks[k] === "and" && toks[k + 1] === "a" && (toks[k + 2] === "half" || toks[k + 2] === "quarter")) {
      value += toks[k + 2] === "half" ? 0.5 : 0.25;
      k += 3;
    }
    if (toks[k] === "percent" || toks[k] === "%") out.add(Math.round(value * 1000));
  }
  return out;
}

const MONTH_INDEX: Record<string, number> = {
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

const MONTH_ALT = Object.keys(MONTH_INDEX)
  .sort((a, b) => b.length - a.length)
  .join("|");

function iso(y: number, m: number, d: number): string | null {
  if (y < 100) y += 2000;
  if (m < 1 || m > 12 || d < 1 || d > 31) return null;
  const s = `${y}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
  const t = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(t.getTime()) && t.toISOString().startsWith(s) ? s : null;
}

/** Year from tokens at k: "2026", "twenty twenty-six", "two thousand twenty-six". */
function yearAt(toks: readonly string[], k: number): number | null {
  const t = toks[k];
  if (t === undefined) return null;
  if (/^(19|20)\d\d$/.test(t)) return Number(t);
  const a = smallToken(t);
  const b = toks[k + 1] === undefined ? null : smallToken(toks[k + 1]!);
  if (a !== null && a >= 19 && a <= 21 && b !== null && b >= 10) return a * 100 + b;
  const c = cardinalAt(toks, k);
  if (c && c.value >= 1900 && c.value < 2100) return c.value;
  return null;
}

/** Every calendar date the text states with a year, as ISO strings. US month-first order. */
export function dateCandidates(text: string): Set<string> {
  const out = new Set<string>();
  const add = (v: string | null) => {
    if (v) out.add(v);
  };
  const lower = clean(text);
  for (const m of lower.matchAll(/(?<!\d)(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?!\d)/g)) add(iso(Number(m[4]), Number(m[1]), Number(m[3])));
  for (const m of lower.matchAll(/(?<!\d)(\d{4})[/-](\d{1,2})[/-](\d{1,2})(?!\d)/g)) add(iso(Number(m[1]), Number(m[2]), Number(m[3])));
  // 02-APR-2026, 02APR26, 2 April 2026
  for (const m of lower.matchAll(new RegExp(String.raw`(?<!\d)(\d{1,2})[\s\-]?(${MONTH_ALT})\.?[\s\-,]*(\d{4}|\d{2})(?!\d)`, "g"))) {
    const mo = MONTH_INDEX[m[2]!];
    if (mo) add(iso(Number(m[3]), mo, Number(m[1])));
  }
  const toks = wordTokens(lower);
  for (let i = 0; i < toks.length; i++) {
    const mo = MONTH_INDEX[toks[i]!.replace(/\.$/, "")];
    if (mo) {
      // Month first: "April 2, 2026", "APR 02 2026", "June ninth, twenty twenty-six", "May 1st 2027"
      const t = toks[i + 1] ?? "";
      const day: number | null = /^\d{1,2}$/.test(t) ? Number(t) : (ordinalToken(t) ?? smallToken(t));
      const k = i + 2;
      if (day === null) continue;
      const y = yearAt(toks, k);
      if (y !== null) add(iso(y, mo, day));
      continue;
    }
    // "the ninth of June, 2026"
    const ord = ordinalToken(toks[i]!);
    if (ord !== null && toks[i + 1] === "of") {
      const mo2 = MONTH_INDEX[toks[i + 2] ?? ""];
      const y = yearAt(toks, i + 3);
      if (mo2 && y !== null) add(iso(y, mo2, ord));
    }
  }
  return out;
}

const DIGIT_WORD: Record<string, string> = {
  zero: "0",
  oh: "0",
  o: "0",
  one: "1",
  two: "2",
  three: "3",
  four: "4",
  five: "5",
  six: "6",
  seven: "7",
  eight: "8",
  nine: "9",
};

/** Last four digits of every digit run (allowing dashes and spaces between groups) and of spoken digit strings. */
export function last4Candidates(text: string): Set<string> {
  const out = new Set<string>();
  for (const m of text.matchAll(/\d(?:[\d]|[- ](?=\d))*/g)) {
    const digits = m[0].replace(/\D/g, "");
    if (digits.length >= 4) out.add(digits.slice(-4));
    for (const group of m[0].split(/[- ]/)) if (group.length >= 4) out.add(group.slice(-4));
  }
  const toks = wordTokens(text);
  let run = "";
  const flush = () => {
    if (run.length >= 4) for (let i = 4; i <= run.length; i++) out.add(run.slice(i - 4, i));
    run = "";
  };
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i]!;
    if (t === "double" && toks[i + 1] && toks[i + 1]! in DIGIT_WORD) {
      run += DIGIT_WORD[toks[i + 1]!]!.repeat(2);
      i++;
      continue;
    }
    if (t in DIGIT_WORD) {
      run += DIGIT_WORD[t];
      continue;
    }
    flush();
  }
  flush();
  return out;
}

const TYPE_CUES: Record<LiabilityType, RegExp> = {
  mortgage: /mortgage|home loan|escrow|property|residential/i,
  auto_loan: /\bauto\b|vehicle|\bcar\b|motor|vin\b/i,
  credit_card: /card|visa|mastercard|purchase apr|credit limit/i,
  student_loan: /student|education|school|campus/i,
  personal_loan: /personal|consumer loan|installment/i,
  heloc: /heloc|home equity|equity line|credit line|line of credit/i,
};

// ---------------------------------------------------------------- null plausibility

const MONTH_RE = "(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)";
const SEP = String.raw`\s*(?:is|:|of|=)?\s*\$?\s*`;

/** A label immediately followed by a value for the field; finding one where the label says null is suspect. */
const STRONG_LABEL: Partial<Record<RecordField, RegExp>> = {
  escrow_balance: new RegExp(String.raw`escrow (?:account )?bal(?:ance)?${SEP}\d`, "i"),
  payoff_amount: new RegExp(String.raw`(?:payoff|pay off|pay-off)(?: amount| quote| total)?${SEP}\d`, "i"),
  current_balance: new RegExp(
    String.raw`(?:principal balance|current balance|new balance|statement balance|unpaid principal|outstanding principal|outstanding balance)${SEP}\d`,
    "i",
  ),
  monthly_payment: new RegExp(String.raw`(?:monthly payment|minimum payment due|minimum payment|regular payment)${SEP}\d`, "i"),
  interest_rate: /(?<!cash advance |cash |promotional |transfer |advance )(?:interest rate|purchase apr)\s*(?::|is|of)?\s*\d+(?:\.\d+)?\s*(?:%|percent)/i,
  next_due_date: new RegExp(String.raw`(?:payment due date|next payment due|next due date|due date)\s*(?::|is|on)?\s*(?:\d|${MONTH_RE})`, "i"),
  as_of_date: new RegExp(String.raw`(?:statement date|closing date|as of)\s*:?\s*(?:\d|${MONTH_RE})`, "i"),
  payoff_good_through: new RegExp(String.raw`(?:good through|good thru|valid through|good until)\s*:?\s*(?:\d|${MONTH_RE})`, "i"),
  account_last4: /(?:loan number|account number|account ending in|acct #)\s*:?\s*[x*#.]*\d/i,
};

/** Lines where a strong label is about something else (the payer's own bank account, wire details). */
const OTHER_CONTEXT = /checking|savings|routing|wire|clearing|draft from|credit account/i;

// ---------------------------------------------------------------- the validator

export function validateLabel(text: string, label: unknown): LabelIssue[] {
  const issues: LabelIssue[] = [];
  const parsed = liabilityRecordSchema.safeParse(label);
  if (!parsed.success) return [{ field: "record", problem: "schema", detail: parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ") }];
  const rec: LiabilityRecord = parsed.data;
  const unsupported = (field: RecordField, detail: string) => issues.push({ field, problem: "unsupported", detail });

  if (!TYPE_CUES[rec.liability_type].test(text.replace(/\s+/g, " "))) unsupported("liability_type", `no mention of a ${rec.liability_type}`);
  const name = normaliseLenderName(rec.lender_name);
  if (!normaliseLenderName(text).includes(name)) unsupported("lender_name", "lender name not found in the text");

  let money: Set<number> | null = null;
  for (const field of ["current_balance", "payoff_amount", "escrow_balance", "monthly_payment"] as const) {
    const v = rec[field];
    if (v === null) continue;
    money ??= moneyCandidates(text);
    if (!money.has(cents(v))) unsupported(field, `${v} not written in the text`);
  }
  if (rec.interest_rate !== null && !rateCandidates(text).has(Math.round(rec.interest_rate * 1000))) {
    unsupported("interest_rate", `${rec.interest_rate}% not written in the text`);
  }
  let dates: Set<string> | null = null;
  for (const field of ["payoff_good_through", "next_due_date", "as_of_date"] as const) {
    const v = rec[field];
    if (v === null) continue;
    dates ??= dateCandidates(text);
    if (!dates.has(v)) unsupported(field, `${v} not written in the text`);
  }
  if (rec.account_last4 !== null && !last4Candidates(text).has(rec.account_last4))
    unsupported("account_last4", `${rec.account_last4} not in any account number`);

  // Refusals and dropped lines in calls name a field without a value, so they do not trip this.
  {
    const lines = text.split("\n").filter((l) => !OTHER_CONTEXT.test(l));
    for (const [field, re] of Object.entries(STRONG_LABEL) as [RecordField, RegExp][]) {
      if (rec[field] !== null) continue;
      const hit = lines.find((l) => re.test(l));
      if (hit) issues.push({ field, problem: "implausible_null", detail: "the text labels a value for this field" });
    }
  }
  return issues;
}
