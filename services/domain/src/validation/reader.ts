import { buildCandidates, candidateKind } from "./candidates.ts";
import type { CandidateKind, DocumentCandidates } from "./candidates.ts";
import { checkInjection, injectedLines } from "./injection.ts";
import { paidFrom } from "./account-sections.ts";
import { linesOf } from "./lines.ts";
import type { NameMatch } from "./name-matcher.ts";
import type { Line } from "./lines.ts";
import type { SourceIndex, Span } from "./mentions.ts";
import { datedLabel, LABELLED_AMOUNT_FIELDS } from "./amount-labels.ts";
import { findNames, LABEL_TARGET, LINE_START_ONLY, nameText, PASSING_MENTIONS, REMITTANCE, SPOKEN_LINE, SPOKEN_ONLY } from "./reader-labels.ts";
import type { ReaderField } from "./reader-labels.ts";

/**
 * A second opinion that does not come from the model: the values a document puts next to the
 * names that statements and call scripts give the fields ("payment due date", "minimum payment
 * due", "APR", "account ending in"). Deterministic and pure. Its readings are evidence for
 * validation: a record that disagrees with the document's own labels, or leaves a labelled
 * field empty, goes to a person. Balances and payoffs have their own rule (consistency.ts).
 */

export type { ReaderField };

export const READER_FIELDS: readonly ReaderField[] = [
  "current_balance",
  "payoff_amount",
  "account_last4",
  "escrow_balance",
  "interest_rate",
  "monthly_payment",
  "next_due_date",
  "as_of_date",
  "payoff_good_through",
];

/** A caption cue's number and timing line ("2" / "00:04.000 --> 00:06.980"): times, not values. */
const CUE_TIMING = /^[ \t]*(?:\d+[ \t]*\r?\n[ \t]*)?[\d:.,]+[ \t]*-->[ \t]*[\d:.,]+.*$/gm;
/** A clock time ("8:00", "01:38", "00:12:05.3", "3:40 PM"). */
const CLOCK = String.raw`\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?(?:[ \t]?[AaPp]\.?[Mm]\.?(?![\p{L}]))?`;
/** A clock time or call timestamp ("[01:38]") anywhere: never a value. */
const CLOCK_TIME = new RegExp(String.raw`\[?(?<![\d/.:-])${CLOCK}(?![\d/:])\]?`, "gu");
/** A timestamp opening a line of a call log, before the speaker's name. */
const LINE_TIMESTAMP = new RegExp(String.raw`^[ \t]*\[?${CLOCK}\]?`, "gmu");

/** A weekday before a date, as statements and calls write it: "Thursday, ", "Wed. ", "Sat ". */
const WEEKDAY = String.raw`(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?\.?,?`;
/** What dates a balance ("Outstanding Principal at Dec 31, 2024", "Balance as of Monday, 03/31/2026"). */
const BALANCE_DATE = new RegExp(String.raw`^[ \t]*(?:at|as of|as at)[ \t]+(?:${WEEKDAY}[ \t]*)?$`, "i");
/** Labels of a period ("Billing Period 05/16/27 - 06/13/27"): the statement date is where it ends. */
const PERIOD_LABELS = new Set(["statement period", "billing period", "billing cycle", "statement cycle", "for the period"]);
/** What joins the two ends of a period. */
const RANGE_JOIN = new RegExp(String.raw`^[ \t]*(?:-|–|—|to|through|thru)[ \t]*(?:${WEEKDAY}[ \t]*)?$`, "i");

const AMOUNT_FIELDS = new Set<ReaderField>(LABELLED_AMOUNT_FIELDS);

/** How far after its label a value may sit, in characters. */
const MAX_GAP = 90;

/**
 * Words that may stand between a label and its value, in statements ("Payment Due Date ....
 * 05/01/2026") and in calls ("the minimum payment due is going to be"). Anything else means
 * the label is not this value's.
 */
const GAP_WORD =
  /^(?:is|was|are|of|at|on|by|to|be|will|would|it|it's|its|that's|thats|you're|youre|the|a|an|your|my|our|this|that|for|now|today|currently|right|shows|showing|show|reads|amount|as|about|approximately|usd|still|going|sitting|listed|okay|ok|so|and|sure|yes|yeah|just|see|i|we|you|have|has|is|number|no|date|ending|in|last|four|digits|xxxx|x+|sorry|one|moment|let|me|check|here|there|looks|like|fixed|variable|annual|percentage|rate|set|currently|what|account|loan|monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)$/i;

export interface Reading {
  /** Canonical value: cents for money, thousandths for rates, ISO date, four digits. */
  readonly value: number | string;
  readonly span: Span;
}

/** Per field, the values found at its labels, in document order. */
export type LabelledReadings = Readonly<Partial<Record<ReaderField, readonly Reading[]>>>;

interface ValueAt extends Span {
  readonly value: number | string;
}

interface LabelAt extends Span {
  readonly phrase: string;
  readonly target: ReaderField | null;
}

/**
 * The readings of `index` (built once; `candidates` as buildCandidates gives them for the
 * document, `injectionSpans` as checkInjection finds them in its text). Fields whose label is
 * followed by a value the reader cannot pin down (a yearless "July first", "four twelve fifty")
 * are added to `unresolved`: the document states them, though no reading says which value.
 */
export function readLabelledFields(
  index: SourceIndex,
  candidates: DocumentCandidates = buildCandidates(index),
  injectionSpans: readonly Span[] = checkInjection(index.text).spans,
  unresolved?: Set<ReaderField>,
): LabelledReadings {
  const excluded = [...index.scan.matchAll(CUE_TIMING), ...index.scan.matchAll(CLOCK_TIME)].map((m) => ({
    start: m.index,
    end: m.index + m[0].length,
  }));
  const outsideTimes = (v: ValueAt) => !excluded.some((c) => v.start < c.end && c.start < v.end);
  const amounts = new Set(index.money.filter((m) => m.moneyLike).map((m) => `${m.start}:${m.end}`));
  const allMoney = spread(candidates.money, (cents) => cents).filter(outsideTimes);
  const values: Record<CandidateKind, ValueAt[]> = {
    // Only amounts written as amounts: "press 1" or "Term 60" is not the payment.
    money: allMoney.filter((v) => amounts.has(`${v.start}:${v.end}`)),
    rate: spread(candidates.rates, (t) => t).filter(outsideTimes),
    date: spread(candidates.dates, (d) => d).filter(outsideTimes),
    last4: spread(candidates.last4, (d) => d).filter(outsideTimes),
  };
  // A line addressed to a model ("report a minimum payment of $0.00") is not the document's label.
  const planted = injectedLines(index.scan, injectionSpans);
  const lines = linesOf(index.scan);
  const remittance = remittanceBlocks(lines);
  const labels: LabelAt[] = namesIn(index).flatMap((m) => {
    const phrase = m[0]
      .toLowerCase()
      .replace(/[\s.]+/g, " ")
      .trim();
    const start = m.index;
    const before = index.scan.slice(index.scan.lastIndexOf("\n", start - 1) + 1, start);
    // Inside a line these words are part of something else ("as of today's date, …"): no name at all.
    if ((LINE_START_ONLY.has(phrase) && before.trim() !== "") || PASSING_MENTIONS.has(phrase)) return [];
    // "the payment of $35.00 that was due on Apr 17" is a missed payment's date, not the next one.
    if (LABEL_TARGET.get(phrase) === "next_due_date" && /\b(?:was|were)[ \t]+$/i.test(before)) return [];
    // A name inside a date is part of it: "Apr 26, 2026" is a month, not the APR.
    if (index.dates.some((d) => start >= d.start && start < d.end)) return [];
    // A statement's "Payment" heads a column of transactions or is part of a longer name; a speaker's is the payment.
    if (SPOKEN_ONLY.has(phrase) && !SPOKEN_LINE.test(before)) return [];
    const misplaced =
      (phrase === "account" && REMITTANCE.test(before)) ||
      (LABEL_TARGET.get(phrase) === "account_last4" && remittance.some((b) => start >= b.start && start < b.end));
    const target = misplaced || planted.some((line) => start >= line.start && start < line.end) ? null : (LABEL_TARGET.get(phrase) ?? null);
    return [{ start, end: start + m[0].length, phrase, target }];
  });
  const out: Partial<Record<ReaderField, Reading[]>> = {};
  const add = (field: ReaderField, found: ValueAt) => (out[field] ??= []).push({ value: found.value, span: { start: found.start, end: found.end } });

  const columns = [...columnPairs(lines, labels), ...headerRowPairs(index.scan, lines, labels)];
  const inColumns = new Set(columns.map((c) => c.label));
  for (const { label, row } of columns) {
    if (label.target === null) continue;
    const kind = candidateKind(label.target);
    // A value row holds the value alone, so a bare "886.51" there is an amount.
    const pool = kind === "money" ? allMoney : values[kind];
    const found = PERIOD_LABELS.has(label.phrase) ? periodEnd(index, values.date, row.start, row.end) : onlyValueIn(pool, row);
    if (found) add(label.target, found);
  }
  const callDate = callHeaderDate(index, values.date);
  if (callDate) add("as_of_date", callDate);
  const letterDate = letterHeadDate(index, lines, values.date, labels);
  if (letterDate) add("as_of_date", letterDate);
  const documentDate = (callDate ?? letterDate ?? spokenToday(index, values, labels))?.value;
  const latestDated = values.date
    .filter((v) => hasYear(index.scan.slice(v.start, v.end)))
    .map((v) => String(v.value))
    .sort()
    .at(-1);
  for (const masked of maskedNumbers(index, values.last4, labels)) add("account_last4", masked);
  const total = payoffTotal(index, lines, allMoney);
  if (total) add("payoff_amount", total);
  labels.forEach((label, i) => {
    if (label.target === null || inColumns.has(label)) return;
    const kind = candidateKind(label.target);
    // A word of the label's own parenthesis ("Variable Rate (Prime + 0.50%)") does not end its reach.
    const ownEnd = label.end + (LABEL_PARENTHESIS.exec(index.scan.slice(label.end, label.end + MAX_GAP))?.[0].length ?? 0);
    let next = i + 1;
    while (next < labels.length && labels[next]!.start < ownEnd) next++;
    const nextLabel = labels[next]?.start ?? Number.POSITIVE_INFINITY;
    const until = Math.min(nextLabel, label.end + MAX_GAP);
    if (PERIOD_LABELS.has(label.phrase)) {
      const found = periodEnd(index, values.date, label.end, until);
      if (found) add(label.target, found);
      return;
    }
    const changed = changedTo(index, values[kind], label.end, until);
    if (changed) {
      add(label.target, changed);
      return;
    }
    const dated = label.target === "current_balance" ? balanceDate(index, values.date, label.end, until) : undefined;
    if (dated) add("as_of_date", dated);
    const found = firstValueAfter(index, values, kind, label.end, until);
    const after = found?.ambiguous && kind === "date" ? placedInTime(label.target, values.date, found.value, { documentDate, latestDated }) : found;
    if (after?.ambiguous) {
      unresolved?.add(label.target);
      return;
    }
    const first = after?.value;
    // The amounts' own rule (consistency.ts) stays out of stacks; so does the reader where it stands in for it.
    if (first && kind === "money" && AMOUNT_FIELDS.has(label.target) && stackedUnder(index.scan, label, first)) return;
    if (label.target === "account_last4" && paidFrom(index.scan, label.start)) return;
    const value = first && correctedValue(index, values[kind], kind === "last4" ? lastGroup(index, values.last4, first) : first, nextLabel);
    if (value && !hypothetical(index.scan, value)) add(label.target, value);
  });
  takeBackCorrected(index, out, values, labels);
  return out;
}

/** What makes a figure an example rather than the account's: "For example, if you locked twenty thousand …, the payment would be about …". A payoff "would be" a quote, not an example. */
const HYPOTHETICAL = /\b(?:for example|for instance|if you were|if you locked|if you took|if you drew|suppose|say you|hypothetically)\b/i;

/** A value in a sentence that only supposes it. */
function hypothetical(scan: string, value: Span): boolean {
  const sentenceStart = Math.max(scan.lastIndexOf(". ", value.start), scan.lastIndexOf("\n", value.start), scan.lastIndexOf("? ", value.start)) + 1;
  return HYPOTHETICAL.test(scan.slice(sentenceStart, value.start));
}

/** A speaker taking a figure back, in the next turns: "You're right, I misread that, it's one hundred ninety-five dollars and twenty cents". */
const TAKEN_BACK = /\b(?:i misread|misspoke|let me correct|correction|scratch that|my mistake|you're right|that's wrong|i apologi[sz]e)\b/gi;
/** How far before the taking back the figure it corrects may have been read, and how soon after it the new figure comes. */
const TAKEN_BACK_REACH = 400;
const TAKEN_BACK_LEAD = 80;

/**
 * Replaces the reading a speaker takes back with the figure they give instead: the latest reading
 * of the same kind before the words that take it back, when the next value after those words is of
 * that kind, no other field's name stands between, and no other figure of that kind was said since.
 */
function takeBackCorrected(
  index: SourceIndex,
  out: Partial<Record<ReaderField, Reading[]>>,
  values: Record<CandidateKind, ValueAt[]>,
  labels: readonly LabelAt[],
): void {
  for (const marker of index.scan.matchAll(TAKEN_BACK)) {
    const from = marker.index + marker[0].length;
    const next = (["money", "rate", "date", "last4"] as const)
      .flatMap((kind) => values[kind].filter((v) => v.start >= from && v.start < from + TAKEN_BACK_LEAD).map((v) => ({ kind, v })))
      .sort((a, b) => a.v.start - b.v.start)[0];
    if (!next || labels.some((l) => l.target !== null && l.start >= from && l.end <= next.v.start)) continue;
    let latest: { field: ReaderField; at: number } | undefined;
    for (const [field, readings] of Object.entries(out) as [ReaderField, Reading[]][]) {
      if (candidateKind(field) !== next.kind) continue;
      readings.forEach((r, at) => {
        if (r.span.end <= marker.index && marker.index - r.span.end <= TAKEN_BACK_REACH && (!latest || r.span.end > out[latest.field]![latest.at]!.span.end))
          latest = { field, at };
      });
    }
    if (!latest) continue;
    const taken = out[latest.field]![latest.at]!;
    // Only the figure just talked about: between it and the taking back, nothing but it or its correction read back.
    const between = values[next.kind].filter((v) => v.start >= taken.span.end && v.end <= marker.index);
    if (between.some((v) => v.value !== taken.value && v.value !== next.v.value)) continue;
    out[latest.field]![latest.at] = { value: next.v.value, span: { start: next.v.start, end: next.v.end } };
  }
}

/** "… changed from 7.04 percent to 6.54 percent", "will change from $612.40 to $655.10": the new value is the field's. */
const CHANGE_FROM = /\bfrom[ \t\n]*$/i;
const CHANGE_TO = /^[ \t]*(?:%|percent|usd|dollars)?[ \t\n]*to[ \t\n]*(?:\$[ \t]*)?$/i;
/** Words a label's sentence may run before "from" ("the interest rate on your student loan account changed"). */
const CHANGE_REACH = 12;

function changedTo(index: SourceIndex, own: readonly ValueAt[], from: number, until: number): ValueAt | undefined {
  const inWindow = own.filter((v) => v.start >= from && v.start < until);
  const old = inWindow[0];
  if (!old) return undefined;
  const lead = index.scan.slice(from, old.start);
  if (!CHANGE_FROM.test(lead) || /[.;!?](?:\s|$)/.test(lead) || lead.split(/\s+/).filter(Boolean).length > CHANGE_REACH + 1) return undefined;
  const next = own.find((v) => v.start >= old.end && CHANGE_TO.test(index.scan.slice(old.end, v.start)));
  if (!next || own.some((v) => v.start === next.start && v.value !== next.value)) return undefined;
  return next;
}

/** The line that opens a block of payment instructions: "Wire Instructions:", "Remit payoff funds to:", "Mail payments to". */
const REMITTANCE_HEAD =
  /^(?:[\p{L}/ -]{0,30}\b(?:wire|wiring|remittance|remit|overnight)\b[\p{L}/ -]{0,30}|[\p{L} ]{0,20}\b(?:send|mail)\b[\p{L} ]{0,20}\bto)[ \t]*:?$/iu;

/**
 * The lines under a payment-instructions heading, up to the next blank line: the accounts they
 * name ("Credit Account: 68628663721", "Account: 00914417") are the lender's, not the borrower's.
 */
function remittanceBlocks(lines: readonly Line[]): Span[] {
  const blocks: Span[] = [];
  lines.forEach((line, i) => {
    if (!REMITTANCE_HEAD.test(line.text)) return;
    let last = i;
    while (last + 1 < lines.length && lines[last + 1]!.text !== "") last++;
    if (last > i) blocks.push({ start: lines[i + 1]!.start, end: lines[last]!.end });
  });
  return blocks;
}

/** The names found in each index's text: the fields' reading and the "cannot give" phrases both look at them. */
const NAMES = new WeakMap<SourceIndex, readonly NameMatch[]>();

function namesIn(index: SourceIndex): readonly NameMatch[] {
  let names = NAMES.get(index);
  if (names === undefined) {
    names = findNames(nameText(index.scan));
    NAMES.set(index, names);
  }
  return names;
}

/** A payoff quote or letter says so at its head: "PAYOFF QUOTE", "Statement of Amount Required to Pay in Full". */
const PAYOFF_HEAD = /\bpay[- ]?off\b|\bpay(?:ment)? in full\b/i;
/** The name of a table's bottom line: "TOTAL", "Total Amount Due", "Grand Total". */
const TOTAL_NAME = /^[ \t|]*(?:grand[ \t]+)?total(?:[ \t]+amount)?(?:[ \t]+due)?[ \t:|.=-]*$/i;
/** How many non-empty lines of a document's head may say it is a payoff quote. */
const HEAD_LINES = 4;

/**
 * On a payoff quote the itemised table's total is the payoff ("Principal … Interest … Total
 * Amount Due | USD 53,363.86"): the one amount on a line named only "Total", when the document's
 * head says it is a payoff quote and every such line agrees.
 */
function payoffTotal(index: SourceIndex, lines: readonly Line[], money: readonly ValueAt[]): ValueAt | undefined {
  if (
    !lines
      .filter((line) => line.text !== "")
      .slice(0, HEAD_LINES)
      .some((line) => PAYOFF_HEAD.test(line.text))
  )
    return undefined;
  const totals = lines.flatMap((line) => {
    const own = money.filter((v) => v.start >= line.start && v.end <= line.end);
    const amount = own[0];
    if (!amount || own.some((v) => v.value !== amount.value)) return [];
    if (!TOTAL_NAME.test(index.scan.slice(line.start, amount.start).replace(/(?:usd|\$)[ \t]*$/i, ""))) return [];
    return [amount];
  });
  return totals.length > 0 && totals.every((t) => t.value === totals[0]!.value) ? totals[0] : undefined;
}

/** A date alone on its line: "February 4, 2025", "Date Wednesday, February 7, 2024" is a label's. */
const DATE_ONLY_LINE = new RegExp(String.raw`^[ \t]*(?::[ \t]*)?(?:${WEEKDAY}[ \t]+)?$`, "i");
/** How many non-empty lines a letterhead spans before the letter's date. */
const LETTERHEAD_LINES = 8;

/**
 * A letter or notice dated at its head (letterhead, then the date alone on a line, then the
 * addressee): the one full date alone on a line among the first lines, unless the line before it
 * names a field or is a name alone (a value under "Please Pay By" is that label's).
 */
function letterHeadDate(index: SourceIndex, allLines: readonly Line[], dates: readonly ValueAt[], labels: readonly LabelAt[]): ValueAt | undefined {
  const lines = allLines.filter((line) => line.text !== "").slice(0, LETTERHEAD_LINES);
  const found: ValueAt[] = [];
  lines.forEach((line, i) => {
    const own = dates.filter((v) => v.start >= line.start && v.end <= line.end);
    const date = own[0];
    if (!date || own.some((v) => v.value !== date.value) || !hasYear(index.scan.slice(date.start, date.end))) return;
    if (!DATE_ONLY_LINE.test(index.scan.slice(line.start, date.start)) || index.scan.slice(date.end, line.end).trim() !== "") return;
    const previous = lines[i - 1];
    // A field's name over the date ("Please Pay By") or a name alone claims it; a letterhead's "Payoff Department · 1-800-555-3662" does not.
    const onPrevious = previous ? labels.filter((l) => l.start >= previous.start && l.end <= previous.end) : [];
    if (onPrevious.some((l) => l.target !== null) || (onPrevious.length > 0 && LABEL_LINE.test(previous!.text))) return;
    found.push(date);
  });
  return found.length > 0 && found.every((v) => v.value === found[0]!.value) ? found[0] : undefined;
}

/** Masking before the last digits of a number: "****0182", "...8276", "xxxx5971", "#****6336", "•••• 4410". */
const MASK_BEFORE = /(?:[*xX•#][ \t]?){2,}$|\.{3}$|…$/;

/**
 * Masked numbers are account or card numbers: statements print no other kind that way. Not
 * where a look-alike names the number on its line ("autopay from checking ****5521").
 */
function maskedNumbers(index: SourceIndex, last4: readonly ValueAt[], labels: readonly LabelAt[]): ValueAt[] {
  return last4.filter((v) => {
    if (!MASK_BEFORE.test(index.scan.slice(Math.max(0, v.start - 12), v.start))) return false;
    const lineStart = index.scan.lastIndexOf("\n", v.start - 1) + 1;
    return !labels.some((l) => l.target === null && l.start >= lineStart && l.end <= v.start) && !paidFrom(index.scan, v.start);
  });
}

/** A speaker saying they cannot give a figure: "I can't give a due date over the phone", "I don't have the rate". */
const UNAVAILABLE =
  /\b(?:can't|cannot|can not|don't|do not|unable to|not able to|won't be able to)\s+(?:\w+\s+){0,2}?(?:give|have|see|provide|quote|share|tell you)\s+(?:you\s+)?(?:a|an|the|your|that|any)?\s*$/i;

/**
 * The fields a speaker says they cannot give ("I'm sorry, I can't give a due date over the
 * phone"), and that the document labels nowhere else: the record leaves them empty.
 */
export function unavailableFields(index: SourceIndex, readings: LabelledReadings): Set<ReaderField> {
  const out = new Set<ReaderField>();
  for (const m of namesIn(index)) {
    const target = LABEL_TARGET.get(
      m[0]
        .toLowerCase()
        .replace(/[\s.]+/g, " ")
        .trim(),
    );
    if (!target || readings[target]) continue;
    const lineStart = index.scan.lastIndexOf("\n", m.index) + 1;
    if (UNAVAILABLE.test(index.scan.slice(Math.max(lineStart, m.index - 60), m.index))) out.add(target);
  }
  return out;
}

/** A turn of a call: "Rep:", "[00:41] Caller:", "Speaker 2:", "<v Bank>", "MMF:". */
const SPEAKER_TURN = /^[ \t]*(?:\[?[\d:.,]+\]?[ \t]+)?(?:<v [^>\n]{1,40}>|[\p{L}][\p{L}\d .'()&-]{0,40}(?:\[[^\]\n]{1,40}\])?:)/gmu;
/** Turns before a document counts as a call. */
const MIN_TURNS = 3;

/**
 * A call's figures are quoted on the day of the call: the one full date its header (the lines
 * before the first turn: "Transcript: payoff request, 03/02/2026") gives. Undefined for a text
 * that is not a call, a header without a date, or one with several dates.
 */
function callHeaderDate(index: SourceIndex, dates: readonly ValueAt[]): ValueAt | undefined {
  const turns = [...index.scan.matchAll(SPEAKER_TURN)];
  // A call has speakers who come back; a statement's "Label:" lines do not repeat.
  const speakerOf = (turn: RegExpMatchArray) => turn[0].replace(/^[\s\d:.,[\]]+/, "").toLowerCase();
  const speakers = new Map<string, number>();
  for (const t of turns) speakers.set(speakerOf(t), (speakers.get(speakerOf(t)) ?? 0) + 1);
  const returning = new Set([...speakers].filter(([, n]) => n >= 2).map(([name]) => name));
  if (turns.length < MIN_TURNS || returning.size < 2) return undefined;
  // A header line may look like a turn ("Transcript: payoff request"); the call starts with a speaker who returns.
  const headerEnd = turns.find((t) => returning.has(speakerOf(t)))!.index!;
  const inHeader = dates.filter((v) => v.end <= headerEnd && hasYear(index.scan.slice(v.start, v.end)));
  if (inHeader.length === 0 || inHeader.some((v) => v.value !== inHeader[0]!.value)) return undefined;
  return inHeader[0];
}

/** The full date a balance is "at" or "as of" ("Outstanding Principal at Dec 31, 2024  27,138.86"): the figures' date. */
function balanceDate(index: SourceIndex, dates: readonly ValueAt[], from: number, until: number): ValueAt | undefined {
  const dated = dates.find((v) => v.start > from && v.start < until && BALANCE_DATE.test(index.scan.slice(from, v.start)));
  if (!dated || !hasYear(index.scan.slice(dated.start, dated.end))) return undefined;
  return dates.some((v) => v.start === dated.start && v.value !== dated.value) ? undefined : dated;
}

/** Labels by which a speaker or a page gives the day itself ("So today is Wednesday, December 2nd, 2026"). */
const TODAY_LABELS = new Set(["today is", "today's", "generated today"]);

/**
 * The one full date (with its year) that follows a "today is" label: in a call without a dated
 * header, the day the figures are quoted, which places the call's yearless dates ("due by December 21st").
 */
function spokenToday(index: SourceIndex, values: Record<CandidateKind, ValueAt[]>, labels: readonly LabelAt[]): ValueAt | undefined {
  const found = labels.flatMap((label, i) => {
    if (!TODAY_LABELS.has(label.phrase)) return [];
    const until = Math.min(labels[i + 1]?.start ?? Number.POSITIVE_INFINITY, label.end + MAX_GAP);
    const after = firstValueAfter(index, values, "date", label.end, until);
    return after && !after.ambiguous && hasYear(index.scan.slice(after.value.start, after.value.end)) ? [after.value] : [];
  });
  return found.length > 0 && found.every((v) => v.value === found[0]!.value) ? found[0] : undefined;
}

/** Fields whose date lies ahead of the document's own date (a due date, a quote's last day). */
const AHEAD = new Set<ReaderField>(["next_due_date", "payoff_good_through"]);

/**
 * A yearless date ("due January first", "Today's January ninth") placed in time by the document:
 * a due or good-through date in the year after the document's own date (a call's or letter's),
 * the statement date in the year up to the latest date the text writes in full. Still ambiguous
 * where the document gives no such anchor or two readings fit.
 */
function placedInTime(
  field: ReaderField,
  dates: readonly ValueAt[],
  first: ValueAt,
  anchors: { documentDate: string | number | undefined; latestDated: string | undefined },
): { value: ValueAt; ambiguous: boolean } {
  const readings = dates.filter((v) => v.start === first.start && v.end === first.end);
  const anchor = AHEAD.has(field) ? anchors.documentDate : field === "as_of_date" ? anchors.latestDated : undefined;
  if (typeof anchor !== "string") return { value: first, ambiguous: true };
  const at = Date.parse(anchor);
  const fits = readings.filter((v) => {
    const t = Date.parse(String(v.value));
    // Ahead: within a year, its anniversary excluded (a quote good through "today, May 19th" is not next
    // year's May 19th). Behind, the anniversary stays ambiguous: the latest full date may be a year on.
    return AHEAD.has(field) ? t >= at && t < yearsAfter(at, 1) : t <= at && t >= yearsAfter(at, -1);
  });
  return fits.length === 1 ? { value: fits[0]!, ambiguous: false } : { value: first, ambiguous: true };
}

function yearsAfter(time: number, years: number): number {
  const date = new Date(time);
  date.setUTCFullYear(date.getUTCFullYear() + years);
  return date.getTime();
}

function hasYear(written: string): boolean {
  return /\d{4}|\d{1,2}[/.-]\d{1,2}[/.-]\d{2}\b|^\d{1,2}[\p{L}]{3}\d{2}$|twenty|thousand/iu.test(written);
}

/** A line that is a name only: letters, a few words, no figure. */
const LABEL_LINE = /^[\p{L}][\p{L} &'()/#-]{1,58}:?$/u;
/** A line that is a figure only, with at most a unit or a weekday around it. */
const VALUE_LINE = /^(?=.*\d)[^\p{L}]*(?:[\p{L}]+[^\p{L}]+){0,4}[\p{L}]*$/u;

/**
 * A table whose columns were flattened into rows (PDF-to-text does this): a run of three or
 * more label lines, then exactly as many value lines. The n-th value is the n-th label's.
 */
function columnPairs(lines: readonly Line[], labels: readonly LabelAt[]): { label: LabelAt; row: Line }[] {
  const pairs: { label: LabelAt; row: Line }[] = [];
  let i = 0;
  while (i < lines.length) {
    let j = i;
    while (j < lines.length && LABEL_LINE.test(lines[j]!.text)) j++;
    if (j - i < 3) {
      i = Math.max(j, i + 1);
      continue;
    }
    let k = j;
    while (k < lines.length && lines[k]!.text === "" && k - j < 2) k++;
    let m = k;
    while (m < lines.length && lines[m]!.text !== "" && !LABEL_LINE.test(lines[m]!.text) && VALUE_LINE.test(lines[m]!.text)) m++;
    if (m - k === j - i) {
      for (let n = 0; n < j - i; n++) {
        const line = lines[i + n]!;
        const label = labels.filter((l) => l.start >= line.start && l.end <= line.end).sort((a, b) => b.end - b.start - (a.end - a.start))[0];
        if (label) pairs.push({ label, row: lines[k + n]! });
      }
    }
    i = Math.max(m, j);
  }
  return pairs;
}

/** How the cells of a table row are separated: pipes, tabs, semicolons, quoted CSV, or runs of spaces. */
function cellsOf(scan: string, line: Line): { cells: Span[]; separator: string } | undefined {
  const raw = scan.slice(line.start, line.end);
  const separator = raw.includes("|")
    ? "|"
    : raw.includes("\t")
      ? "\t"
      : (raw.match(/;/g)?.length ?? 0) >= 2
        ? ";"
        : /^\s*".*",".*"\s*$/.test(raw)
          ? '","'
          : "  ";
  const cells: Span[] = [];
  const pattern = separator === "  " ? / {2,}/g : new RegExp(separator.replace(/[|]/g, "\\|"), "g");
  let from = 0;
  for (const m of [...raw.matchAll(pattern), null]) {
    const to = m ? m.index : raw.length;
    const cell = raw.slice(from, to);
    const lead = cell.length - cell.trimStart().length;
    const text = cell.trim().replace(/^"|"$/g, "");
    if (text !== "") cells.push({ start: line.start + from + lead, end: line.start + from + lead + cell.trim().length });
    from = m ? m.index + m[0].length : raw.length;
  }
  return cells.length >= (separator === "  " ? 3 : 2) ? { cells, separator } : undefined;
}

/** A header cell that is a field's name, a word or two of qualifier at most ("Interest Rate (until next change)"). */
const HEADER_REST = /^[^\d]{0,40}$/;

/**
 * A table of one row under a header row ("As Of | Valid Through | Account #", then "Aug. 19, 2026 |
 * Aug. 31, 2026 | ******4547"), as exports and payoff quotes print them: the n-th cell of the row
 * is the n-th header's. A header followed by several such rows (a transaction list) names no one value.
 */
function headerRowPairs(scan: string, lines: readonly Line[], labels: readonly LabelAt[]): { label: LabelAt; row: Span }[] {
  const pairs: { label: LabelAt; row: Span }[] = [];
  const nonEmpty = lines.filter((line) => line.text !== "");
  nonEmpty.forEach((header, i) => {
    const row = nonEmpty[i + 1];
    if (!row || /\d/.test(header.text) || !/\d/.test(row.text)) return;
    const head = cellsOf(scan, header);
    const values = row && cellsOf(scan, row);
    if (!head || !values || head.separator !== values.separator || head.cells.length !== values.cells.length) return;
    const after = nonEmpty[i + 2] && cellsOf(scan, nonEmpty[i + 2]!);
    if (after && after.separator === head.separator && after.cells.length === head.cells.length && /\d/.test(nonEmpty[i + 2]!.text)) return;
    const named = head.cells.flatMap((cell, n) => {
      const label = labels
        .filter((l) => l.target !== null && l.start >= cell.start && l.end <= cell.end)
        .sort((a, b) => b.end - b.start - (a.end - a.start))[0];
      if (!label || !HEADER_REST.test(scan.slice(cell.start, label.start) + scan.slice(label.end, cell.end))) return [];
      return [{ label, row: values.cells[n]! }];
    });
    if (named.length >= 2) pairs.push(...named);
  });
  return pairs;
}

/**
 * A label alone on its line under another label line, its value lines below: a stack of labels
 * whose values follow in a block (too short a stack for columnPairs), so the next value line
 * belongs to the first label of the stack, not necessarily to this one.
 */
function stackedUnder(scan: string, label: LabelAt, value: Span): boolean {
  const lineStart = scan.lastIndexOf("\n", label.start - 1) + 1;
  const lineEnd = scan.indexOf("\n", label.end);
  if (lineStart === 0 || lineEnd === -1 || value.start < lineEnd) return false;
  const previousStart = scan.lastIndexOf("\n", lineStart - 2) + 1;
  return LABEL_LINE.test(scan.slice(lineStart, lineEnd).trim()) && LABEL_LINE.test(scan.slice(previousStart, lineStart - 1).trim());
}

/** The one value of a row; undefined when the row holds none or several. */
function onlyValueIn(pool: readonly ValueAt[], row: Span): ValueAt | undefined {
  const inRow = pool.filter((v) => v.start >= row.start && v.end <= row.end);
  if (inRow.length === 0 || inRow.some((v) => v.value !== inRow[0]!.value)) return undefined;
  return inRow[0];
}

/** The date that closes a period written "from - to" after `from`; undefined when there is no such range. */
function periodEnd(index: SourceIndex, dates: readonly ValueAt[], from: number, until: number): ValueAt | undefined {
  const own = dates.filter((v) => v.start >= from && v.start < until);
  const first = own[0];
  if (!first || !gapAllowed(index.scan.slice(from, first.start), "date")) return undefined;
  const second = own.find((v) => v.start >= first.end && RANGE_JOIN.test(index.scan.slice(first.end, v.start)));
  if (!second || own.some((v) => v.start === second.start && v.value !== second.value)) return undefined;
  return second;
}

/** The one value all readings of a field agree on; undefined when there is none or they differ. */
export function agreedReading(readings: readonly Reading[] | undefined): number | string | undefined {
  if (!readings || readings.length === 0) return undefined;
  const first = readings[0]!.value;
  return readings.every((r) => r.value === first) ? first : undefined;
}

function spread<K extends number | string>(map: ReadonlyMap<K, readonly Span[]>, value: (key: K) => number | string): ValueAt[] {
  const out: ValueAt[] = [];
  for (const [key, spans] of map) for (const span of spans) out.push({ start: span.start, end: span.end, value: value(key) });
  return out.sort((a, b) => a.start - b.start || a.end - b.end);
}

const WRITTEN_RATES = new WeakMap<SourceIndex, ReadonlySet<number>>();
/** Decimals, or the fractions in which rates are spoken ("six and three quarters", "five and a quarter"). */
const RATE_FORM = /\d\.\d|\b(?:quarters?|half|eighths?|point)\b/i;

/**
 * Where the numbers written as rates start: with "%" or "percent", decimals or a spoken fraction. A label's
 * rate is one of them; "the interest rate on that one?" is not 1%.
 */
function writtenRates(index: SourceIndex): ReadonlySet<number> {
  let starts = WRITTEN_RATES.get(index);
  if (starts === undefined) {
    starts = new Set(index.numbers.filter((n) => n.percent || RATE_FORM.test(index.scan.slice(n.start, n.end))).map((n) => n.start));
    WRITTEN_RATES.set(index, starts);
  }
  return starts;
}

const LABEL_PARENTHESIS = /^[ \t]*\([^()\n]{1,60}\)/;

/** The value right after a label; `ambiguous` when that mention has several readings ("four twelve fifty", a yearless date). */
function firstValueAfter(
  index: SourceIndex,
  values: Record<CandidateKind, ValueAt[]>,
  kind: CandidateKind,
  from: number,
  until: number,
): { value: ValueAt; ambiguous: boolean } | undefined {
  const rates = kind === "rate" ? writtenRates(index) : undefined;
  const readable = (v: ValueAt) => v.start < until && (rates === undefined || rates.has(v.start));
  // A parenthesis after the label qualifies it ("Interest Rate (until 03/2029)  5.375%", "Variable Rate
  // (Prime + 0.50%)  8.000%") where a value follows it on the line; otherwise it holds the value ("Due (05/01/2026)").
  const parenthesis = LABEL_PARENTHESIS.exec(index.scan.slice(from, until))?.[0].length ?? 0;
  const lineEnd = index.scan.indexOf("\n", from + parenthesis);
  const afterParenthesis = parenthesis > 0 && values[kind].some((v) => v.start >= from + parenthesis && (lineEnd === -1 || v.start < lineEnd) && readable(v));
  const start = afterParenthesis ? from + parenthesis : from;
  const own = values[kind].filter((v) => v.start >= start && readable(v));
  if (own.length === 0) return undefined;
  const first = own[0]!;
  const ambiguous = own.some((v) => v.start === first.start && v.value !== first.value);
  // A value of another kind in between (a date before the amount) means the label is not this value's;
  // the leading groups of the account number itself ("55-0912-38817": 55 looks like a rate) do not count.
  const accountNumber = kind === "last4" ? index.digits.find((run) => run.start <= first.start && first.end <= run.end) : undefined;
  const others = (["money", "rate", "date", "last4"] as const)
    .filter((k) => k !== kind)
    .flatMap((k) => values[k].filter((v) => v.start >= start && v.end <= first.start && !(accountNumber && v.start >= accountNumber.start)));
  if (others.length === 0) return gapAllowed(index.scan.slice(start, first.start), kind) ? { value: first, ambiguous } : undefined;
  // An amount's label may say when it holds ("AMOUNT DUE 05/01/2026 $1,845.20"); nothing else may stand between.
  const dates = values.date.filter((v) => others.includes(v));
  const dateSpans = [...new Map(dates.map((d) => [`${d.start}:${d.end}`, d])).values()];
  if (kind !== "money" || dates.length !== others.length || !datedLabel(index.scan, start, dateSpans, first.start)) return undefined;
  return { value: first, ambiguous };
}

/** What separates the groups of a number read out or printed in parts ("5 3 1 0, 2 2 4 8"). */
const GROUP_JOIN = /^[ \t]*[,-]?[ \t]*$/;

/** An account number given in groups of four: its last four digits are the last group's. */
function lastGroup(index: SourceIndex, last4: readonly ValueAt[], first: ValueAt): ValueAt {
  let current = first;
  for (;;) {
    const next = last4.find((v) => v.start > current.end && v.start <= current.end + 3 && GROUP_JOIN.test(index.scan.slice(current.end, v.start)));
    if (!next) return current;
    current = next;
  }
}

/** A speaker taking back a figure they just gave ("sorry, the last digit is 8", "I misread that"). */
const CORRECTION = /\b(sorry|correction|i misread|misspoke|let me correct|i mean|scratch that|my mistake|actually)\b/i;
/** How far after a value its correction may follow, in characters. */
const CORRECTION_REACH = 160;

/** The value that corrects `value` before the next label, if the speaker corrects it; else `value`. */
function correctedValue(index: SourceIndex, own: readonly ValueAt[], value: ValueAt, nextLabel: number): ValueAt {
  const marker = CORRECTION.exec(index.scan.slice(value.end, value.end + 60));
  if (!marker) return value;
  const from = value.end + marker.index;
  const next = own.find((v) => v.start > from && v.start < Math.min(nextLabel, value.end + CORRECTION_REACH));
  return next ?? value;
}

/** Layout, speaker tags and the few words people put between a name and its value. */
/** A question that names the figure, then the next speaker's answer: "And what rate am I paying on that?\nAgent: You're at 7.24 percent." */
/** The speaker who starts a turn, after an optional bracketed timestamp or tag: "Agent:", "[00:01:19] Dana:". */
const TURN_SPEAKER = String.raw`[ \t]*(?:\[[^\]\n]{1,30}\][ \t]*)?[\p{L}][\p{L}\d _.'()-]{0,30}:`;
const QUESTION_THEN_TURN = new RegExp(String.raw`^([^?\n\d]{0,60})\?[ \t]*\n(?=${TURN_SPEAKER})`, "u");
const ANSWER_SPEAKER = new RegExp(`^${TURN_SPEAKER}`, "u");
const QUESTION_WORDS = 8;

function gapAllowed(rawGap: string, kind: CandidateKind): boolean {
  const question = QUESTION_THEN_TURN.exec(rawGap);
  if (question) {
    const asked = question[1]!
      .trim()
      .split(/\s+/)
      .filter((w) => w !== "");
    const answer = rawGap.slice(question[0].length).replace(ANSWER_SPEAKER, " ");
    return asked.length <= QUESTION_WORDS && !answer.includes("\n") && gapAllowed(answer, kind);
  }
  const gap = rawGap.replace(/^[ \t]*(\d+|[\d:.,]+[ \t]*-->[ \t]*[\d:.,]+.*)[ \t]*$/gm, "").replace(LINE_TIMESTAMP, "");
  if (gap.split(/\r?\n/).filter((line) => line.trim() !== "").length > 2) return false;
  let words = gap
    .replace(/<[^<>\n]{0,40}>/g, " ")
    .replace(/(?<=\n)[ \t]*[\p{L}][\p{L}\d _.'()-]{0,30}:/gu, " ")
    // A speaker in brackets at a turn's start: "[Bank] It's due on …", "[Agent 2] Sure, …".
    .replace(/(?<=\n)[ \t]*\[[\p{L}][\p{L}\d .'-]{0,30}\]/gu, " ");
  // An account number's leading groups and masks stand before its last four digits ("NMA-20-0088417", "XXXX-4410").
  if (kind === "last4") words = words.replace(/[\dXx*•]+(?=[\s-]|$)|\b[A-Z]{1,5}(?=-)/g, " ");
  const list = words
    .replace(/[\s:|=.…,;?!"()[\]*#—–>_-]+/g, " ")
    .replace(/(^|\s)'+|'+(\s|$)/g, " ")
    .trim()
    .split(" ")
    .filter((w) => w !== "");
  return list.length <= 8 && list.every((w) => GAP_WORD.test(w));
}
