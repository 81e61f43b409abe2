import type { LiabilityRecord } from "../record.ts";
import { buildCandidates } from "./candidates.ts";
import { toCents, toThousandths } from "./mentions.ts";
import type { MoneyMention, SourceIndex, Span } from "./mentions.ts";
import { RULES } from "./reasons.ts";
import type { ValidationReason } from "./reasons.ts";
import { agreedReading, READER_FIELDS, readLabelledFields } from "./reader.ts";
import type { ReaderField } from "./reader.ts";

/**
 * Rule "consistency": amounts that the document itself labels. Grounding only asks
 * whether a value appears somewhere; this asks whether the document agrees with itself
 * and with the record about what the balance and the payoff are. It is what stops an
 * injected "balance $0.00" in an otherwise normal statement from being accepted: the
 * document then labels two different balances, and a person has to decide.
 */

type LabelledField = "current_balance" | "payoff_amount";
const CHECKED_FIELDS: readonly LabelledField[] = ["current_balance", "payoff_amount"];

/**
 * Label phrases and what they label; null marks phrases that look like a field's label
 * but are something else ("previous balance", "escrow balance"). At one position the
 * longest phrase wins, so "escrow balance" is not read as "balance".
 */
const LABELS: ReadonlyArray<readonly [string, LabelledField | null]> = [
  ["current balance", "current_balance"],
  ["new balance", "current_balance"],
  ["statement balance", "current_balance"],
  ["outstanding balance", "current_balance"],
  ["principal balance", "current_balance"],
  ["unpaid principal balance", "current_balance"],
  ["unpaid principal", "current_balance"],
  ["outstanding principal", "current_balance"],
  ["current principal", "current_balance"],
  ["remaining balance", "current_balance"],
  ["loan balance", "current_balance"],
  ["account balance", "current_balance"],
  ["total balance", "current_balance"],
  ["balance owed", "current_balance"],
  ["amount owed", "current_balance"],
  ["balance outstanding", "current_balance"],
  ["principal bal", "current_balance"],
  ["unpaid principal bal", "current_balance"],
  ["current principal bal", "current_balance"],
  ["current principal balance", "current_balance"],
  ["current bal", "current_balance"],
  ["new bal", "current_balance"],
  ["outstanding bal", "current_balance"],
  ["amount outstanding", "current_balance"],
  ["balance", "current_balance"],
  ["payoff", "payoff_amount"],
  ["payoff amount", "payoff_amount"],
  ["payoff quote", "payoff_amount"],
  ["total payoff", "payoff_amount"],
  ["pay off amount", "payoff_amount"],
  ["pay-off amount", "payoff_amount"],
  // Look-alikes that are not the field.
  ["previous balance", null],
  ["prior balance", null],
  ["last statement balance", null],
  ["beginning balance", null],
  ["opening balance", null],
  ["original balance", null],
  ["original principal", null],
  ["original loan amount", null],
  ["average daily balance", null],
  ["daily balance", null],
  ["promotional balance", null],
  ["purchase balance", null],
  ["cash advance balance", null],
  ["balance transfer", null],
  ["balance subject to interest rate", null],
  ["escrow balance", null],
  ["impound balance", null],
  ["escrow impound balance", null],
  ["suspense balance", null],
  ["unapplied balance", null],
  ["restricted escrow balance", null],
  ["payoff statement fee", null],
  ["payoff fee", null],
  ["payoff request fee", null],
  ["interest paid", null],
  ["escrow account balance", null],
  ["escrow", null],
  ["available credit", null],
  ["credit limit", null],
  ["credit line", null],
  ["principal", null],
  ["interest", null],
  ["interest charged", null],
  ["per diem", null],
  ["per diem interest", null],
  ["payment", null],
  ["payments", null],
  ["minimum payment", null],
  ["amount due", null],
  ["past due", null],
  ["fees", null],
  ["late fee", null],
  ["purchases", null],
  ["credits", null],
];

const LABEL_RE = new RegExp(
  `\\b(${[...LABELS]
    .map(([phrase]) => phrase)
    .sort((a, b) => b.length - a.length)
    .map((p) => p.replace(/[-\s]+/g, "[\\s/-]+"))
    .join("|")})\\b`,
  "gi",
);
const LABEL_TARGET = new Map(LABELS.map(([phrase, target]) => [phrase, target]));

/** Words that may precede a bare "balance" label without making it a different balance. */
const PLAIN_BALANCE_QUALIFIERS = new Set(["the", "your", "my", "our", "a", "its", "is", "what's", "whats", "card", "account", "loan", "current", "me"]);

/** How far back from an amount its label may sit, in characters. */
const MAX_LABEL_GAP = 60;

/**
 * What may stand between a label and its amount: layout (colons, leader dots, pipes, tabs,
 * at most one line break) and the few words people put there ("the balance today is").
 * Any other word means the label names something else ("Payoff statement fee 20.00").
 */
const LABEL_GAP =
  /^[\s:|=.\-–—>…]*(?:(?:is|was|are|of|at|today|now|currently|would|be|will|comes|to|it's|its|it|right|shows|showing|amount|as|about|approximately|usd|us|the|a|reads|stands|still)\b[\s:|=.,\-–—]*)*$/i;

/** A speaker correcting a figure they just gave ("Sorry, I misread that. It's …"). */
const CORRECTION = /\b(sorry|correction|i misread|misspoke|let me correct|i mean|scratch that|my mistake|actually)\b/i;

export interface LabelledAmount extends Span {
  readonly field: LabelledField;
  readonly cents: ReadonlySet<number>;
}

/** Amounts in the text together with the field their nearest preceding label names. */
export function findLabelledAmounts(index: SourceIndex): LabelledAmount[] {
  const text = index.scan;
  const labels = [...text.matchAll(LABEL_RE)].map((m) => {
    const phrase = m[0].toLowerCase().replace(/[\s/-]+/g, " ");
    let target = LABEL_TARGET.get(phrase) ?? null;
    // A bare "balance" qualified by a word we do not know ("Suspense Balance", or ASR's
    // "escro balance") is some other balance: only an unqualified one is the balance.
    if (phrase === "balance") {
      const before = /([\p{L}']+)[ \t/-]*$/u.exec(text.slice(Math.max(0, m.index - 30), m.index));
      if (before && !PLAIN_BALANCE_QUALIFIERS.has(before[1]!.toLowerCase())) target = null;
    }
    return { start: m.index, end: m.index + m[0].length, target };
  });
  const out: LabelledAmount[] = [];
  let previous: MoneyMention | undefined;
  for (const mention of index.money) {
    const floor = Math.max(previous?.end ?? 0, mention.start - MAX_LABEL_GAP);
    previous = mention;
    let label: (typeof labels)[number] | undefined;
    for (const l of labels) {
      if (l.end > mention.start) break;
      if (l.start >= floor) label = l;
    }
    if (!label || label.target === null || !mention.moneyLike) continue;
    const gap = text.slice(label.end, mention.start);
    if (!LABEL_GAP.test(gap) || (gap.match(/\n/g)?.length ?? 0) > 1) continue;
    if (gap.includes("\n") && stackedLabel(text, label.start, label.end)) continue;
    // Another number between label and amount (a rate, a date) means the label is not this amount's.
    if (index.numbers.some((n) => n.start >= label.end && n.end <= mention.start)) continue;
    if (index.dates.some((d) => d.start >= label.end && d.end <= mention.start)) continue;
    out.push({ start: mention.start, end: mention.end, field: label.target, cents: mention.cents });
  }
  return out.map((labelled) => corrected(labelled, index));
}

/**
 * A label alone on its line, under another line of text without figures, is one of a stack
 * of labels whose values follow in a block (a two-column layout flattened by text extraction):
 * the amount on the next line belongs to the first label of the stack, not necessarily to this one.
 */
function stackedLabel(text: string, start: number, end: number): boolean {
  const lineStart = text.lastIndexOf("\n", start - 1) + 1;
  const lineEnd = text.indexOf("\n", end);
  const line = text.slice(lineStart, lineEnd === -1 ? text.length : lineEnd);
  const rest = line.slice(0, start - lineStart) + line.slice(end - lineStart);
  if (!/^[\s:|.\-–—]*$/.test(rest)) return false;
  if (lineStart === 0) return false;
  const previousStart = text.lastIndexOf("\n", lineStart - 2) + 1;
  const previous = text.slice(previousStart, lineStart - 1).trim();
  return previous.length > 0 && previous.length <= 40 && !/\d/.test(previous);
}

/**
 * When the speaker corrects the amount right after giving it, the correction is what the
 * label refers to: "The principal balance is $194,848.05. Wait, let me correct that, it's $195,848.05."
 */
function corrected(labelled: LabelledAmount, index: SourceIndex): LabelledAmount {
  const after = index.scan.slice(labelled.end, labelled.end + 120);
  const marker = CORRECTION.exec(after);
  if (!marker) return labelled;
  const from = labelled.end + marker.index;
  const next = index.money.find((m) => m.start > from && m.start < labelled.end + 160 && m.moneyLike);
  if (!next) return labelled;
  // Only a correction if no other label intervenes: otherwise the next amount is a different figure.
  const between = index.scan.slice(from, next.start);
  if (LABEL_RE.test(between)) {
    LABEL_RE.lastIndex = 0;
    return labelled;
  }
  LABEL_RE.lastIndex = 0;
  return { start: next.start, end: next.end, field: labelled.field, cents: next.cents };
}

export function checkConsistency(
  record: LiabilityRecord,
  index: SourceIndex,
  referenceDate?: Date,
  injectionSpans?: readonly Span[],
): ValidationReason[] {
  const reasons: ValidationReason[] = [...checkReaderAgreement(record, index, referenceDate, injectionSpans)];
  const labelled = findLabelledAmounts(index);
  for (const field of CHECKED_FIELDS) {
    const candidates = labelled.filter((l) => l.field === field);
    if (candidates.length === 0) continue;
    // Each mention may have several readings ("four twelve fifty"); they agree when
    // one value is a reading of all of them.
    let common: Set<number> = new Set(candidates[0]!.cents);
    for (const c of candidates.slice(1)) common = new Set([...common].filter((v) => c.cents.has(v)));
    if (common.size === 0) {
      reasons.push({
        rule: RULES.conflictingValues,
        field,
        message: `the document labels ${candidates.length} different amounts as ${field}`,
      });
    }
    const value = record[field];
    if (value !== null && !candidates.some((c) => c.cents.has(toCents(Math.abs(value))))) {
      reasons.push({
        rule: RULES.valueNotAtLabel,
        field,
        message: `${field} is not the amount the document labels as such`,
      });
    }
  }
  return reasons;
}

/**
 * The other fields against the labelled-field reader: where every label of a field in the
 * document gives the same value, the record must carry that value. A value the model chose
 * from elsewhere in the text (the due date for the statement date, the last four digits of the
 * routing number) is grounded, so only this catches it.
 */
function checkReaderAgreement(
  record: LiabilityRecord,
  index: SourceIndex,
  referenceDate: Date | undefined,
  injectionSpans: readonly Span[] | undefined,
): ValidationReason[] {
  const candidates = buildCandidates(index, referenceDate ? { referenceYear: referenceDate.getUTCFullYear() } : {});
  const readings = readLabelledFields(index, candidates, injectionSpans);
  const reasons: ValidationReason[] = [];
  for (const field of READER_FIELDS) {
    const labelled = agreedReading(readings[field]);
    if (labelled === undefined) continue;
    const value = canonical(field, record[field]);
    if (value === null) {
      reasons.push({ rule: RULES.labelledValueMissing, field, message: `the document labels a value for ${field} and the record has none` });
    } else if (value !== labelled) {
      reasons.push({ rule: RULES.valueNotAtLabel, field, message: `${field} is not the value the document labels as such` });
    }
  }
  return reasons;
}

function canonical(field: ReaderField, value: string | number | null): string | number | null {
  if (value === null) return null;
  if (typeof value === "string") return value;
  return field === "interest_rate" ? toThousandths(value) : toCents(Math.abs(value));
}
