/**
 * Numbers written or spoken as words, as they appear in call transcripts:
 * "eleven thousand two hundred four dollars and eighteen cents", "four twelve fifty",
 * "oh nine three one", "six point one five", "June ninth, twenty twenty-six".
 *
 * Grounding only needs to know which values a stretch of words *could* mean, so every
 * function here returns all plausible readings instead of guessing one. Pure: no I/O.
 */

const UNITS: Readonly<Record<string, number>> = {
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
};
const TEENS: Readonly<Record<string, number>> = {
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
const TENS: Readonly<Record<string, number>> = {
  twenty: 20,
  thirty: 30,
  forty: 40,
  fourty: 40,
  fifty: 50,
  sixty: 60,
  seventy: 70,
  eighty: 80,
  ninety: 90,
};
const SCALES: Readonly<Record<string, number>> = { thousand: 1_000, million: 1_000_000 };

const ORDINAL_UNITS: Readonly<Record<string, number>> = {
  first: 1,
  second: 2,
  third: 3,
  fourth: 4,
  fifth: 5,
  sixth: 6,
  seventh: 7,
  eighth: 8,
  ninth: 9,
};
const ORDINAL_OTHER: Readonly<Record<string, number>> = {
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

/** Words that can be part of a spoken number (lower case). */
const NUMBER_WORDS = new Set([
  ...Object.keys(UNITS),
  ...Object.keys(TEENS),
  ...Object.keys(TENS),
  ...Object.keys(SCALES),
  ...Object.keys(ORDINAL_UNITS),
  ...Object.keys(ORDINAL_OTHER),
  "hundred",
  "double",
  "triple",
]);
/** Words that may sit inside a run of number words without ending it. */
const JOINERS = new Set(["and", "dollar", "dollars", "bucks", "cent", "cents", "point", "a", "an", "half", "quarter", "quarters", "eighths"]);
const TRAILING_PROSE = new Set(["and", "point", "a", "an"]);
/** Hesitations that speech-to-text keeps inside a figure ("four sixty-seven um eighteen"): skipped. */
export const FILLERS = new Set(["um", "uh", "er", "erm", "ah", "hmm", "umm", "uhh"]);

export interface WordToken {
  readonly word: string;
  readonly start: number;
  readonly end: number;
}

export interface NumberWordRun {
  readonly tokens: readonly WordToken[];
  readonly start: number;
  readonly end: number;
}

/**
 * Maximal runs of number words. Words may be separated by spaces, hyphens or commas
 * ("twenty-six", "two thousand, one hundred"), never by a full stop, which ends a
 * spoken phrase ("Four twelve fifty. $412.50.").
 */
export function findNumberWordRuns(text: string): NumberWordRun[] {
  const runs: NumberWordRun[] = [];
  let current: WordToken[] = [];
  let lastEnd = -1;
  const flush = () => {
    // Joiners at either end belong to the surrounding prose, not to the number; a
    // trailing "dollars" or "cents" is kept because it decides how the number reads.
    while (current.length > 0 && TRAILING_PROSE.has(current[current.length - 1]!.word)) current.pop();
    while (current.length > 0 && JOINERS.has(current[0]!.word)) current.shift();
    // "oh" alone is an interjection, not zero.
    if (current.some((t) => NUMBER_WORDS.has(t.word) && t.word !== "oh")) {
      runs.push({ tokens: current, start: current[0]!.start, end: current[current.length - 1]!.end });
    }
    current = [];
  };
  for (const match of text.matchAll(/[A-Za-z]+/g)) {
    const word = match[0].toLowerCase();
    const start = match.index;
    const end = start + match[0].length;
    if (FILLERS.has(word) && current.length > 0 && /^[\s,-]*$/.test(text.slice(lastEnd, start))) {
      lastEnd = end;
      continue;
    }
    const inRun = NUMBER_WORDS.has(word) || JOINERS.has(word);
    const gap = lastEnd >= 0 ? text.slice(lastEnd, start) : "";
    const joined = current.length > 0 && /^[\s,-]*$/.test(gap) && !/\n\s*\n/.test(gap);
    if (!inRun || !joined) flush();
    if (inRun) current.push({ word, start, end });
    lastEnd = end;
  }
  flush();
  return runs;
}

/**
 * Strict English cardinal ("two thousand one hundred eighty four"): null when the words
 * are not one well-formed cardinal, so that "four twelve fifty" is not read as 66.
 */
export function parseCardinal(words: readonly string[]): number | null {
  if (words.length === 0) return null;
  let total = 0;
  let i = 0;
  let lastScale = Infinity;
  let sawAny = false;
  while (i < words.length) {
    const chunk = parseBelowThousand(words, i);
    if (chunk === null) return null;
    i = chunk.next;
    sawAny = true;
    const scaleWord = words[i];
    if (scaleWord !== undefined && scaleWord in SCALES) {
      const scale = SCALES[scaleWord]!;
      if (scale >= lastScale) return null;
      lastScale = scale;
      total += chunk.value * scale;
      i += 1;
      if (words[i] === "and") i += 1;
      continue;
    }
    total += chunk.value;
    if (i !== words.length) return null;
  }
  return sawAny ? total : null;
}

/** One chunk under a thousand: [unit|teen|tens[-unit]] [hundred [and] [unit|teen|tens[-unit]]]. */
function parseBelowThousand(words: readonly string[], from: number): { value: number; next: number } | null {
  let i = from;
  let value = 0;
  const small = parseBelowHundred(words, i);
  if (words[i] === "a" && words[i + 1] === "hundred") {
    value = 100;
    i += 2;
  } else if (small !== null && words[small.next] === "hundred") {
    if (small.value === 0) return null;
    value = small.value * 100;
    i = small.next + 1;
  } else if (small !== null) {
    return small.value === 0 && words.length > 1 ? null : small;
  } else {
    return null;
  }
  if (words[i] === "and") i += 1;
  const rest = parseBelowHundred(words, i);
  if (rest !== null && rest.value > 0) return { value: value + rest.value, next: rest.next };
  if (words[i - 1] === "and") i -= 1;
  return { value, next: i };
}

function parseBelowHundred(words: readonly string[], i: number): { value: number; next: number } | null {
  const w = words[i];
  if (w === undefined) return null;
  if (w in TENS) {
    const u = words[i + 1];
    if (u !== undefined && u in UNITS && UNITS[u]! > 0) return { value: TENS[w]! + UNITS[u]!, next: i + 2 };
    return { value: TENS[w]!, next: i + 1 };
  }
  if (w in TEENS) return { value: TEENS[w]!, next: i + 1 };
  if (w in UNITS && w !== "oh") return { value: UNITS[w]!, next: i + 1 };
  return null;
}

/**
 * Reads words as a sequence of short groups whose digits are written one after another,
 * the way people read out account numbers and shorthand amounts: "four twelve fifty" is
 * 4|12|50, "oh nine three one" is 0|9|3|1, "double five" is 55, "twelve hundred" is 1200 (a
 * hundreds group only ends the number: nobody reads 10082 as "one hundred eighty-two").
 * Returns the digit strings and the width of the last group (for "dollars and cents").
 */
export function parseDigitGroups(words: readonly string[]): { digits: string; lastGroupWidth: number; groups: number } | null {
  let digits = "";
  let lastGroupWidth = 0;
  let groups = 0;
  let i = 0;
  while (i < words.length) {
    const w = words[i]!;
    if ((w === "double" || w === "triple") && words[i + 1] !== undefined && words[i + 1]! in UNITS) {
      const d = String(UNITS[words[i + 1]!]);
      const group = w === "double" ? d + d : d + d + d;
      digits += group;
      lastGroupWidth = group.length;
      groups += 1;
      i += 2;
      continue;
    }
    const small = parseBelowHundred(words, i) ?? (w === "oh" ? { value: 0, next: i + 1 } : null);
    if (small === null) return null;
    let group = String(small.value);
    i = small.next;
    if (words[i] === "hundred") {
      // "twelve hundred" is a group; "one hundred eighty-two" is a cardinal, never 100|82.
      if (i + 1 < words.length) return null;
      group = String(small.value * 100);
      i += 1;
    }
    digits += group;
    lastGroupWidth = group.length;
    groups += 1;
  }
  return digits.length > 0 ? { digits, lastGroupWidth, groups } : null;
}

/** Splits "dollars … cents" and "… point …" phrasing; returns every amount the words could mean, in cents. */
export function spokenAmountCandidatesInCents(words: readonly string[]): Set<number> {
  const out = new Set<number>();
  const clean = words.filter((w) => w !== "bucks");
  const dollarIdx = clean.findIndex((w) => w === "dollars" || w === "dollar");
  const centIdx = clean.findIndex((w) => w === "cents" || w === "cent");
  const pointIdx = clean.indexOf("point");

  if (dollarIdx >= 0) {
    const dollars = wholeReadings(clean.slice(0, dollarIdx));
    let centWords = clean.slice(dollarIdx + 1, centIdx > dollarIdx ? centIdx : undefined);
    if (centWords[0] === "and") centWords = centWords.slice(1);
    const cents = centWords.length === 0 ? [0] : wholeReadings(centWords).filter((c) => c < 100);
    for (const d of dollars) for (const c of cents) out.add(d * 100 + c);
    return out;
  }
  if (centIdx >= 0 && centIdx === clean.length - 1) {
    // "eleven thousand two hundred four and eighteen cents", or "eighteen cents" alone.
    const andIdx = clean.lastIndexOf("and");
    if (andIdx > 0) {
      const dollars = wholeReadings(clean.slice(0, andIdx));
      const cents = wholeReadings(clean.slice(andIdx + 1, centIdx)).filter((c) => c < 100);
      for (const d of dollars) for (const c of cents) out.add(d * 100 + c);
    } else {
      for (const c of wholeReadings(clean.slice(0, centIdx))) if (c < 100) out.add(c);
    }
    return out;
  }
  if (pointIdx >= 0) {
    const whole = pointIdx === 0 ? [0] : wholeReadings(clean.slice(0, pointIdx));
    const frac = parseDigitGroups(clean.slice(pointIdx + 1));
    if (frac !== null) {
      const fracCents = Math.round(Number(`0.${frac.digits}`) * 100);
      if (frac.digits.length <= 2) for (const w of whole) out.add(w * 100 + fracCents);
    }
    return out;
  }

  const cardinal = parseCardinal(clean);
  if (cardinal !== null) out.add(cardinal * 100);
  // Groups read as whole dollars: "twenty-one fifty" may be $2,150; three or more groups are
  // shorthand with cents ("forty-seven forty ninety-seven" is $4,740.97, never $474,097).
  const whole = parseDigitGroups(clean);
  if (whole !== null && whole.groups <= 2 && whole.digits.length <= 15) out.add(Number(whole.digits) * 100);
  // Shorthand with the cents as the last group: "four twelve fifty" = 412.50,
  // "two thousand one hundred eighty four thirty seven" = 2184.37.
  const groups = parseDigitGroups(clean);
  if (groups !== null && groups.lastGroupWidth === 2 && groups.digits.length > 2) {
    out.add(Number(groups.digits));
  }
  for (let cut = clean.length - 1; cut >= 1; cut -= 1) {
    const tail = parseDigitGroups(clean.slice(cut));
    if (tail === null || tail.digits.length !== 2 || tail.lastGroupWidth !== 2) continue;
    const head = clean.slice(0, clean[cut - 1] === "and" ? cut - 1 : cut);
    const dollars = parseCardinal(head);
    if (dollars !== null) out.add(dollars * 100 + Number(tail.digits));
  }
  return out;
}

/** Whole-number readings: a strict cardinal, or digits read out group by group. */
export function wholeReadings(words: readonly string[]): number[] {
  const out = new Set<number>();
  const cardinal = parseCardinal(words);
  if (cardinal !== null) out.add(cardinal);
  const groups = parseDigitGroups(words);
  if (groups !== null && groups.digits.length <= 15) out.add(Number(groups.digits));
  return [...out];
}

/** Digit strings the words could spell, for account numbers read out ("oh nine three one"). */
export function spokenDigitStrings(words: readonly string[]): string[] {
  const out = new Set<string>();
  const numeric = words.filter((w) => !JOINERS.has(w) || w === "a");
  const groups = parseDigitGroups(numeric.filter((w) => w !== "a"));
  if (groups !== null) out.add(groups.digits);
  return [...out];
}

/** A day of the month said as a word: "ninth", "twenty-first", "nine", "thirty one". */
export function spokenDay(words: readonly string[]): number | null {
  if (words.length === 1) {
    const w = words[0]!;
    if (w in ORDINAL_UNITS) return ORDINAL_UNITS[w]!;
    if (w in ORDINAL_OTHER) return ORDINAL_OTHER[w]!;
    if (w in UNITS && w !== "oh" && UNITS[w]! > 0) return UNITS[w]!;
    if (w in TEENS) return TEENS[w]!;
    if (w === "twenty" || w === "thirty") return TENS[w]!;
    return null;
  }
  if (words.length === 2) {
    const [t, u] = words as [string, string];
    if ((t === "twenty" || t === "thirty") && (u in ORDINAL_UNITS || (u in UNITS && u !== "oh"))) {
      const day = TENS[t]! + (ORDINAL_UNITS[u] ?? UNITS[u]!);
      return day >= 1 && day <= 31 ? day : null;
    }
  }
  return null;
}

/** A year said as words: "twenty twenty-six", "two thousand twenty-six", "two thousand and six". */
export function spokenYear(words: readonly string[]): number | null {
  const cardinal = parseCardinal(words);
  if (cardinal !== null && cardinal >= 1900 && cardinal <= 2199) return cardinal;
  const groups = parseDigitGroups(words);
  if (groups !== null && groups.digits.length === 4) {
    const y = Number(groups.digits);
    if (y >= 1900 && y <= 2199) return y;
  }
  return null;
}
