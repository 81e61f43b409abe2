import type { Rng } from "./rng.ts";

/*
 * How numbers, dates and rates are written in US bank documents and spoken on calls.
 * A document picks one style per kind of value and keeps it, as real documents do;
 * the corpus as a whole covers every common style.
 */

// ---------------------------------------------------------------- dates

export const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"] as const;
const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"] as const;

function parts(iso: string): [number, number, number] {
  const [y, m, d] = iso.split("-").map(Number);
  return [y!, m!, d!];
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, "0");
}

export function isoFromParts(y: number, m: number, d: number): string {
  return `${y}-${pad(m)}-${pad(d)}`;
}

export function addDays(iso: string, days: number): string {
  const t = new Date(`${iso}T00:00:00Z`);
  t.setUTCDate(t.getUTCDate() + days);
  return t.toISOString().slice(0, 10);
}

/** Same day of month `months` later, clamped to the month's last day. */
export function addMonths(iso: string, months: number): string {
  const [y, m, d] = parts(iso);
  const total = y * 12 + (m - 1) + months;
  const ny = Math.floor(total / 12);
  const nm = (total % 12) + 1;
  const last = new Date(Date.UTC(ny, nm, 0)).getUTCDate();
  return isoFromParts(ny, nm, Math.min(d, last));
}

export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86400000);
}

export function ordinalSuffix(n: number): string {
  const t = n % 100;
  if (t >= 11 && t <= 13) return "th";
  return ["th", "st", "nd", "rd"][n % 10] ?? "th";
}

export const DATE_STYLES = [
  "mdy-slash",
  "mdy-slash-short",
  "md-y2-slash",
  "m-d-y2-slash",
  "iso",
  "mdy-dash",
  "mdy-dot",
  "long",
  "long-ordinal",
  "abbr",
  "abbr-dot",
  "day-month-long",
  "dd-mon-yyyy",
  "ddmonyy",
  "mon-dd-yyyy-caps",
  "weekday-long",
  "ymd-slash",
] as const;
export type DateStyle = (typeof DATE_STYLES)[number];

export function formatDate(iso: string, style: DateStyle): string {
  const [y, m, d] = parts(iso);
  const month = MONTHS[m - 1]!;
  const mon = month.slice(0, 3);
  const y2 = pad(y % 100);
  switch (style) {
    case "mdy-slash":
      return `${pad(m)}/${pad(d)}/${y}`;
    case "mdy-slash-short":
      return `${m}/${d}/${y}`;
    case "md-y2-slash":
      return `${pad(m)}/${pad(d)}/${y2}`;
    case "m-d-y2-slash":
      return `${m}/${d}/${y2}`;
    case "iso":
      return iso;
    case "mdy-dash":
      return `${pad(m)}-${pad(d)}-${y}`;
    case "mdy-dot":
      return `${pad(m)}.${pad(d)}.${y}`;
    case "long":
      return `${month} ${d}, ${y}`;
    case "long-ordinal":
      return `${month} ${d}${ordinalSuffix(d)}, ${y}`;
    case "abbr":
      return `${mon} ${d}, ${y}`;
    case "abbr-dot":
      return `${mon === "May" ? "May" : `${mon}.`} ${d}, ${y}`;
    case "day-month-long":
      return `${d} ${month} ${y}`;
    case "dd-mon-yyyy":
      return `${pad(d)}-${mon.toUpperCase()}-${y}`;
    case "ddmonyy":
      return `${pad(d)}${mon.toUpperCase()}${y2}`;
    case "mon-dd-yyyy-caps":
      return `${mon.toUpperCase()} ${pad(d)} ${y}`;
    case "weekday-long": {
      const wd = WEEKDAYS[new Date(`${iso}T00:00:00Z`).getUTCDay()]!;
      return `${wd}, ${month} ${d}, ${y}`;
    }
    case "ymd-slash":
      return `${y}/${pad(m)}/${pad(d)}`;
  }
}

/** Date written without a year: only ever used for values that are not labels. */
export function formatDateNoYear(iso: string, rng: Rng): string {
  const [, m, d] = parts(iso);
  return rng.pick([`${m}/${d}`, `${pad(m)}/${pad(d)}`, `${MONTHS[m - 1]} ${d}`, `${MONTHS[m - 1]!.slice(0, 3)} ${d}`]);
}

// ---------------------------------------------------------------- money

export const MONEY_STYLES = ["dollar", "dollar-space", "plain", "plain-nocomma", "usd-prefix", "usd-suffix", "dollar-nocomma"] as const;
export type MoneyStyle = (typeof MONEY_STYLES)[number];

export function groupThousands(intPart: string): string {
  return intPart.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** Two-decimal text for an amount, without sign. */
function amountText(value: number, commas: boolean): string {
  const fixed = Math.abs(value).toFixed(2);
  const [i, f] = fixed.split(".");
  return `${commas ? groupThousands(i!) : i}.${f}`;
}

export function formatMoney(value: number, style: MoneyStyle): string {
  const neg = value < 0;
  let body: string;
  switch (style) {
    case "dollar":
      body = `$${amountText(value, true)}`;
      break;
    case "dollar-space":
      body = `$ ${amountText(value, true)}`;
      break;
    case "plain":
      body = amountText(value, true);
      break;
    case "plain-nocomma":
      body = amountText(value, false);
      break;
    case "usd-prefix":
      body = `USD ${amountText(value, true)}`;
      break;
    case "usd-suffix":
      body = `${amountText(value, true)} USD`;
      break;
    case "dollar-nocomma":
      body = `$${amountText(value, false)}`;
      break;
  }
  return neg ? `-${body}` : body;
}

/** Legacy ledgers mark credits with a trailing minus, parentheses or CR. */
export function formatLedgerCredit(value: number, rng: Rng): string {
  const t = amountText(value, true);
  return rng.pick([`${t}-`, `(${t})`, `${t} CR`, `-${t}`]);
}

/** Right-aligns `value` after `label` so that the line is `width` wide. */
export function padLine(label: string, value: string, width: number): string {
  const gap = Math.max(2, width - label.length - value.length);
  return `${label}${" ".repeat(gap)}${value}`;
}

// ---------------------------------------------------------------- rates

export const RATE_STYLES = ["pct", "pct3", "pct-space", "percent-word", "pct4"] as const;
export type RateStyle = (typeof RATE_STYLES)[number];

/** Never rounds away digits of the true rate: a label must be readable from the text. */
export function formatRate(rate: number, style: RateStyle): string {
  const minimal = String(Number(rate.toFixed(3)));
  const three = rate.toFixed(3);
  switch (style) {
    case "pct":
      return `${Number(rate.toFixed(3)) === Math.round(rate) ? rate.toFixed(2) : minimal}%`;
    case "pct3":
      return `${three}%`;
    case "pct-space":
      return `${minimal} %`;
    case "percent-word":
      return `${minimal} percent`;
    case "pct4":
      return `${rate.toFixed(4)}%`;
  }
}

// ---------------------------------------------------------------- account numbers

export const MASK_STYLES = [
  "full-dashed",
  "full-plain",
  "stars",
  "x-groups",
  "x-run",
  "ending-in",
  "dots",
  "hash-last4",
  "star-single",
  "card-groups",
] as const;
export type MaskStyle = (typeof MASK_STYLES)[number];

export function last4(accountNumber: string): string {
  return accountNumber.slice(-4);
}

export function formatAccount(accountNumber: string, style: MaskStyle): string {
  const l4 = last4(accountNumber);
  const n = accountNumber.length;
  switch (style) {
    case "full-dashed": {
      // groups of 4 from the left, remainder at the end, e.g. 7712-0045-518 is avoided: group from the right
      const groups: string[] = [];
      for (let end = n; end > 0; end -= 4) groups.unshift(accountNumber.slice(Math.max(0, end - 4), end));
      return groups.join("-");
    }
    case "full-plain":
      return accountNumber;
    case "stars":
      return `${"*".repeat(Math.max(4, n - 4))}${l4}`;
    case "x-groups":
      return `XXXX-XXXX-${l4}`;
    case "x-run":
      return `${"x".repeat(Math.max(4, n - 4))}${l4}`;
    case "ending-in":
      return `ending in ${l4}`;
    case "dots":
      return `...${l4}`;
    case "hash-last4":
      return `#${"*".repeat(4)}${l4}`;
    case "star-single":
      return `*${l4}`;
    case "card-groups":
      return `XXXX XXXX XXXX ${l4}`;
  }
}

// ---------------------------------------------------------------- words (for speech)

const ONES = [
  "zero",
  "one",
  "two",
  "three",
  "four",
  "five",
  "six",
  "seven",
  "eight",
  "nine",
  "ten",
  "eleven",
  "twelve",
  "thirteen",
  "fourteen",
  "fifteen",
  "sixteen",
  "seventeen",
  "eighteen",
  "nineteen",
];
const TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"];

function under100(n: number): string {
  if (n < 20) return ONES[n]!;
  const t = TENS[Math.floor(n / 10)]!;
  return n % 10 === 0 ? t : `${t}-${ONES[n % 10]}`;
}

function under1000(n: number): string {
  const h = Math.floor(n / 100);
  const r = n % 100;
  if (h === 0) return under100(r);
  return r === 0 ? `${ONES[h]} hundred` : `${ONES[h]} hundred ${under100(r)}`;
}

/** Cardinal words for 0 ≤ n < 1e9. */
export function numberToWords(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n >= 1e9) throw new Error(`numberToWords: ${n}`);
  if (n === 0) return "zero";
  const millions = Math.floor(n / 1e6);
  const thousands = Math.floor((n % 1e6) / 1000);
  const rest = n % 1000;
  const out: string[] = [];
  if (millions) out.push(`${under1000(millions)} million`);
  if (thousands) out.push(`${under1000(thousands)} thousand`);
  if (rest) out.push(under1000(rest));
  return out.join(" ");
}

const ORDINAL_WORDS: Record<string, string> = {
  one: "first",
  two: "second",
  three: "third",
  five: "fifth",
  eight: "eighth",
  nine: "ninth",
  twelve: "twelfth",
};

export function ordinalWords(n: number): string {
  const w = numberToWords(n);
  const m = /(.*?)([a-z]+)$/.exec(w)!;
  const head = m[1]!;
  const last = m[2]!;
  if (ORDINAL_WORDS[last]) return head + ORDINAL_WORDS[last];
  if (last.endsWith("y")) return `${head}${last.slice(0, -1)}ieth`;
  return `${head}${last}th`;
}

export function yearWords(y: number, rng: Rng): string {
  if (y >= 2010 && y < 2100 && rng.chance(0.7)) return `twenty ${under100(y % 100)}`;
  return numberToWords(y);
}

const DIGIT_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];

/** Digits read one by one, the way people read account numbers aloud. */
export function spellDigits(digits: string, rng: Rng): string {
  const out: string[] = [];
  for (let i = 0; i < digits.length; i++) {
    const d = Number(digits[i]);
    if (i + 1 < digits.length && digits[i + 1] === digits[i] && rng.chance(0.4)) {
      out.push(`double ${DIGIT_WORDS[d]}`);
      i++;
      continue;
    }
    out.push(d === 0 && rng.chance(0.4) ? "oh" : DIGIT_WORDS[d]!);
  }
  return out.join(" ");
}

export type SpokenMoneyStyle = "digits" | "words" | "colloquial" | "mixed" | "hundreds" | "no-cents-word";

/** How a bank rep says an amount. Colloquial "four twelve fifty" only where it is unambiguous. */
export function spokenMoney(value: number, style: SpokenMoneyStyle): string {
  const cents = Math.round(value * 100) % 100;
  const dollars = Math.floor(Math.round(value * 100) / 100);
  switch (style) {
    case "digits":
      return formatMoney(value, "dollar");
    case "words": {
      const d = `${numberToWords(dollars)} dollar${dollars === 1 ? "" : "s"}`;
      return cents === 0 ? d : `${d} and ${numberToWords(cents)} cent${cents === 1 ? "" : "s"}`;
    }
    case "hundreds": {
      // "twenty-one hundred eighty-four dollars and thirty-seven cents" for 1,100..9,999
      const hi = Math.floor(dollars / 100);
      if (dollars < 1100 || dollars > 9999 || hi % 10 === 0) return spokenMoney(value, "words");
      const lo = dollars % 100;
      const d = `${under100(hi)} hundred${lo ? ` ${under100(lo)}` : ""} dollars`;
      return cents === 0 ? d : `${d} and ${numberToWords(cents)} cents`;
    }
    case "no-cents-word":
      // "$412 and 50 cents" / "412 dollars 50"
      return cents === 0 ? `$${groupThousands(String(dollars))}` : `$${groupThousands(String(dollars))} and ${cents} cents`;
    case "mixed":
      return cents === 0 ? `${groupThousands(String(dollars))} dollars` : `${groupThousands(String(dollars))} dollars and ${cents} cents`;
    case "colloquial": {
      // "four twelve fifty" = 412.50; "twenty-one eighty-four thirty-seven" = 2,184.37.
      // Only for 100..9,999 with non-zero cents, and tens part not zero, where listeners parse it reliably.
      const hi = Math.floor(dollars / 100);
      const lo = dollars % 100;
      if (dollars < 100 || dollars > 9999 || cents < 10 || lo < 10) return spokenMoney(value, "words");
      return `${under100(hi)} ${under100(lo)} ${under100(cents)}`;
    }
  }
}

/** How a rep says a rate. */
export function spokenRate(rate: number, rng: Rng): string {
  const r = Number(rate.toFixed(3));
  const whole = Math.floor(r);
  const frac = Math.round((r - whole) * 1000);
  const style = rng.int(0, 3);
  if (style === 0) return `${r} percent`;
  if (style === 1 && (frac === 500 || frac === 250 || frac === 0)) {
    const tail = frac === 500 ? " and a half" : frac === 250 ? " and a quarter" : "";
    return `${numberToWords(whole)}${tail} percent`;
  }
  if (frac === 0) return `${numberToWords(whole)} percent`;
  const fracDigits = String(r).split(".")[1] ?? "";
  const spoken = [...fracDigits].map((d) => DIGIT_WORDS[Number(d)]).join(" ");
  return `${numberToWords(whole)} point ${spoken} percent`;
}

/** How a rep says a date; always with the year when it is a label value. */
export function spokenDate(iso: string, rng: Rng): string {
  const [y, m, d] = parts(iso);
  const month = MONTHS[m - 1]!;
  switch (rng.int(0, 5)) {
    case 0:
      return `${month} ${d}${ordinalSuffix(d)}, ${y}`;
    case 1:
      return `${month} ${ordinalWords(d)}, ${yearWords(y, rng)}`;
    case 2:
      return `the ${ordinalWords(d)} of ${month}, ${y}`;
    case 3:
      return `${m}/${d}/${y}`;
    case 4:
      return `${month} ${d}, ${yearWords(y, rng)}`;
    default:
      return `${month} ${d}, ${y}`;
  }
}
