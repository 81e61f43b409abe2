import type { LiabilityRecord } from "../record.ts";
import { toCents } from "./mentions.ts";
import type { MoneyMention, SourceIndex, Span } from "./mentions.ts";
import { RULES } from "./reasons.ts";
import type { ValidationReason } from "./reasons.ts";

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
    .map((p) => p.replace(/[-\s]+/g, "[\\s-]+"))
    .join("|")})\\b`,
  "gi",
);
const LABEL_TARGET = new Map(LABELS.map(([phrase, target]) => [phrase, target]));

/** How far back from an amount its label may sit, in characters, on the same line. */
const MAX_LABEL_GAP = 60;

export interface LabelledAmount extends Span {
  readonly field: LabelledField;
  readonly cents: ReadonlySet<number>;
}

/** Amounts in the text together with the field their nearest preceding label names. */
export function findLabelledAmounts(index: SourceIndex): LabelledAmount[] {
  const { text } = index;
  const labels = [...text.matchAll(LABEL_RE)].map((m) => ({
    start: m.index,
    end: m.index + m[0].length,
    target: LABEL_TARGET.get(m[0].toLowerCase().replace(/[\s-]+/g, " ")) ?? LABEL_TARGET.get(m[0].toLowerCase()) ?? null,
  }));
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
    // A label on another line, or in an earlier sentence, labels something else.
    if (/\n/.test(gap) || /[.!?]\s/.test(gap)) continue;
    // Another number between label and amount (a rate, a date) means the label is not this amount's.
    if (index.numbers.some((n) => n.start >= label.end && n.end <= mention.start)) continue;
    if (index.dates.some((d) => d.start >= label.end && d.end <= mention.start)) continue;
    out.push({ start: mention.start, end: mention.end, field: label.target, cents: mention.cents });
  }
  return out;
}

export function checkConsistency(record: LiabilityRecord, index: SourceIndex): ValidationReason[] {
  const reasons: ValidationReason[] = [];
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
