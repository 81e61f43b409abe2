import type { LiabilityRecord, LiabilityType } from "../record.ts";
import { accountsByEnding, subjectScope } from "./account-sections.ts";
import type { SubjectScope } from "./account-sections.ts";
import { AMOUNT_LABELS, datedLabel, LABELLED_AMOUNT_FIELDS } from "./amount-labels.ts";
import type { LabelledField } from "./amount-labels.ts";
import { buildCandidates } from "./candidates.ts";
import type { DocumentCandidates } from "./candidates.ts";
import { checkInjection, injectedLines } from "./injection.ts";
import { unnamedFields } from "./field-vocabulary.ts";
import { wordedLiabilityType } from "./liability-type.ts";
import { toCents, toThousandths } from "./mentions.ts";
import type { MoneyMention, SourceIndex, Span } from "./mentions.ts";
import { RULES } from "./reasons.ts";
import type { ValidationReason } from "./reasons.ts";
import { nameMatcher } from "./name-matcher.ts";
import { nameText } from "./reader-labels.ts";
import { agreedReading, READER_FIELDS, readLabelledFields, unavailableFields } from "./reader.ts";
import type { LabelledReadings, ReaderField, Reading } from "./reader.ts";

/**
 * Rule "consistency": amounts that the document itself labels. Grounding only asks
 * whether a value appears somewhere; this asks whether the document agrees with itself
 * and with the record about what the balance and the payoff are. It is what stops an
 * injected "balance $0.00" in an otherwise normal statement from being accepted: the
 * document then labels two different balances, and a person has to decide.
 */

/** The amounts' names in a text; a hyphen or slash may stand for a space ("pay-off", "principal/interest"). */
const findAmountNames = nameMatcher(
  AMOUNT_LABELS.map(([phrase]) => phrase),
  { separators: /[-\s]+/g, join: String.raw`[\s/-]+`, boundary: "word" },
);
const LABEL_TARGET = new Map(AMOUNT_LABELS.map(([phrase, target]) => [phrase, target]));

/** Labels that deposit accounts use as well as loans: in a checking or savings section they are not the loan's. */
const SHARED_WITH_DEPOSITS = new Set(["ending balance", "closing balance"]);
/** A line naming an account: a deposit account, or one that owes. The nearest one above a label is its section. */
const ACCOUNT_NAME = /\b(?:(checking|savings|share draft|money market|certificate)|(loan|mortgage|card|line of credit|heloc|visa|mastercard))\b/i;

function inDepositSection(text: string, labelStart: number): boolean {
  const lines = text
    .slice(Math.max(0, labelStart - 400), labelStart)
    .split("\n")
    .reverse();
  for (const line of lines) {
    const named = ACCOUNT_NAME.exec(line);
    if (named) return named[1] !== undefined;
  }
  return false;
}

/** Words that may precede a bare "balance" label without making it a different balance. */
const PLAIN_BALANCE_QUALIFIERS = new Set(["the", "your", "my", "our", "a", "its", "is", "what's", "whats", "card", "account", "loan", "current", "me"]);

/** How far back from an amount its label may sit, in characters. */
/** How far after its label's end an amount may sit, in characters. */
const MAX_LABEL_GAP = 60;

/**
 * What may stand between a label and its amount: layout (colons, leader dots, pipes, tabs,
 * at most one line break) and the few words people put there ("the balance today is").
 * Any other word means the label names something else ("Payoff statement fee 20.00").
 */
const LABEL_GAP =
  /^[\s:|=._\-–—>…]*(?:(?:is|was|are|of|at|on|your|account|loan|today|now|currently|would|be|will|comes|to|it's|its|it|right|shows|showing|amount|as|about|approximately|usd|us|the|a|reads|stands|still|this|notice|writing)\b[\s:|=.,_\-–—]*)*$/i;

/** A speaker correcting a figure they just gave ("Sorry, I misread that. It's …"). */
const CORRECTION = /\b(sorry|correction|i misread|misspoke|let me correct|i mean|scratch that|my mistake|actually)\b/i;

export interface LabelledAmount extends Span {
  readonly field: LabelledField;
  readonly cents: ReadonlySet<number>;
}

/**
 * Amounts in the text together with the field their nearest preceding label names
 * (`injectionSpans` as checkInjection finds them: a label on such a line names nothing).
 */
export function findLabelledAmounts(index: SourceIndex, injectionSpans: readonly Span[] = checkInjection(index.text).spans): LabelledAmount[] {
  const text = index.scan;
  const planted = injectedLines(text, injectionSpans);
  const labels = findAmountNames(nameText(text)).map((m) => {
    const phrase = m[0].toLowerCase().replace(/[\s/-]+/g, " ");
    const onPlantedLine = planted.some((line) => m.index >= line.start && m.index < line.end);
    let target = onPlantedLine ? null : (LABEL_TARGET.get(phrase) ?? null);
    if (SHARED_WITH_DEPOSITS.has(phrase) && inDepositSection(text, m.index)) target = null;
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
      if (l.end >= floor) label = l;
    }
    if (!label || label.target === null || !mention.moneyLike) continue;
    const gap = text.slice(label.end, mention.start);
    const datesBetween = index.dates.filter((d) => d.start >= label.end && d.end <= mention.start);
    // A date between label and amount may only say when the amount holds; another number (a rate) means the label is not this amount's.
    const gapFits = datesBetween.length > 0 ? datedLabel(text, label.end, datesBetween, mention.start) : LABEL_GAP.test(gap);
    if (!gapFits || (gap.match(/\n/g)?.length ?? 0) > 1) continue;
    if (gap.includes("\n") && stackedLabel(text, label.start, label.end)) continue;
    if (index.numbers.some((n) => n.start >= label.end && n.end <= mention.start)) continue;
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
  if (findAmountNames(between).length > 0) return labelled;
  return { start: next.start, end: next.end, field: labelled.field, cents: next.cents };
}

/**
 * Per amount field, the values the document's labels allow: one, or several where the one
 * labelled mention has several readings ("fifty-two ninety-two seventy-one"); empty where the
 * labels disagree; no entry where nothing labels the field. The amounts right after a balance
 * or payoff label decide (findLabelledAmounts); where there are none, the reader's agreed
 * reading stands in (a flattened table's columns, "payoff ... through Jan 13 ... you would need").
 */
export function labelledAmounts(labelled: readonly LabelledAmount[], readings: LabelledReadings): Partial<Record<LabelledField, ReadonlySet<number>>> {
  const out: Partial<Record<LabelledField, ReadonlySet<number>>> = {};
  for (const field of LABELLED_AMOUNT_FIELDS) {
    const own = labelled.filter((l) => l.field === field);
    if (own.length === 0) {
      const read = agreedReading(readings[field]);
      if (typeof read === "number") out[field] = new Set([read]);
      continue;
    }
    let common: Set<number> = new Set(own[0]!.cents);
    for (const l of own.slice(1)) common = new Set([...common].filter((v) => l.cents.has(v)));
    out[field] = common;
  }
  return out;
}

/** What the document's own labels give, read once for validation and for guided decoding. */
export interface DocumentLabels {
  /**
   * Per field, the canonical values its labels allow (cents, thousandths, ISO date, digits):
   * for the two amounts as labelledAmounts gives them, for the other fields the reader's agreed
   * value; an empty set where the labels disagree. No entry where nothing labels the field.
   */
  readonly allowed: Partial<Record<ReaderField, ReadonlySet<number | string>>>;
  /** Fields a speaker says cannot be given, and that nothing labels. */
  readonly unavailable: ReadonlySet<ReaderField>;
  /** Fields a label gives a value for that no reading pins down (a yearless date): stated, so never left empty unnoticed. */
  readonly unresolved: ReadonlySet<ReaderField>;
  /** Fields whose kind of figure the document never mentions and nothing labels (unnamedFields): null. */
  readonly unnamed: ReadonlySet<ReaderField>;
  /** The one kind of debt the text names, or on a statement of several accounts the subject's heading names. */
  readonly liabilityType?: LiabilityType;
}

export function readDocumentLabels(index: SourceIndex, candidates: DocumentCandidates, injectionSpans: readonly Span[]): DocumentLabels {
  const unresolved = new Set<ReaderField>();
  const scope = subjectScope(index);
  const read = readLabelledFields(index, candidates, injectionSpans, unresolved);
  // Two accounts referred to by their endings and no section to tell them apart: which is the debt's, a person decides.
  const severalAccounts = !scope && accountsByEnding(index, candidates.last4).size > 1;
  const readings = scope ? ownReadings(read, scope) : read;
  const found = findLabelledAmounts(index, injectionSpans);
  const amounts = labelledAmounts(scope ? found.filter((a) => scope.covers(a)) : found, readings);
  const allowed: Partial<Record<ReaderField, ReadonlySet<number | string>>> = {};
  for (const field of READER_FIELDS) {
    const values = (LABELLED_AMOUNT_FIELDS as readonly string[]).includes(field) ? amounts[field as LabelledField] : readingSet(readings[field]);
    if (values !== undefined) allowed[field] = values;
  }
  if (severalAccounts) allowed.account_last4 = new Set();
  const unnamed = new Set([...unnamedFields(index.scan)].filter((field) => allowed[field] === undefined));
  const liabilityType = wordedLiabilityType(index.text) ?? (scope ? wordedLiabilityType(index.text.slice(scope.heading.start, scope.heading.end)) : undefined);
  return { allowed, unavailable: unavailableFields(index, readings), unresolved, unnamed, ...(liabilityType ? { liabilityType } : {}) };
}

/**
 * On a statement of several accounts, the readings of the subject's section and of the document's
 * head; the statement date is the whole document's. Where the subject's heading gives its last four
 * digits, those are the account's, whatever other numbers the head prints; an amount alone on the
 * heading is its balance where nothing in the section labels one.
 */
function ownReadings(readings: LabelledReadings, scope: SubjectScope): LabelledReadings {
  const out: Partial<Record<ReaderField, readonly Reading[]>> = {};
  for (const field of READER_FIELDS) {
    const own = field === "as_of_date" ? readings[field] : readings[field]?.filter((r) => scope.covers(r.span));
    if (own && own.length > 0) out[field] = own;
  }
  if (scope.last4) out.account_last4 = [{ value: scope.last4, span: scope.heading }];
  if (scope.balance && !out.current_balance) out.current_balance = [{ value: scope.balance.cents, span: scope.balance.span }];
  return out;
}

/**
 * The record against the document's own labels: where the labels of a field agree on a value,
 * the record must carry it; where they disagree, a person decides. A value the model chose from
 * elsewhere in the text (the due date for the statement date, the last four digits of the routing
 * number, a payment for the balance) is grounded, so only this catches it.
 */
export function checkConsistency(
  record: LiabilityRecord,
  index: SourceIndex,
  referenceDate?: Date,
  injectionSpans: readonly Span[] = checkInjection(index.text).spans,
  corroboratedFields: readonly ReaderField[] = [],
): ValidationReason[] {
  const candidates = buildCandidates(index, referenceDate ? { referenceYear: referenceDate.getUTCFullYear() } : {});
  const labels = readDocumentLabels(index, candidates, injectionSpans);
  const reasons: ValidationReason[] = [];
  const worded = labels.liabilityType;
  if (worded !== undefined && record.liability_type !== worded) {
    reasons.push({ rule: RULES.valueNotAtLabel, field: "liability_type", message: `the document names one kind of debt and the record gives another` });
  }
  for (const field of labels.unnamed) {
    if (record[field] !== null) reasons.push({ rule: RULES.unnamedField, field, message: `the document never mentions the kind of figure ${field} is` });
  }
  for (const field of labels.unavailable) {
    if (record[field] !== null)
      reasons.push({ rule: RULES.statedUnavailable, field, message: `the document says ${field} cannot be given, and the record has one` });
  }
  const missing = (field: ReaderField): ValidationReason => ({
    rule: RULES.labelledValueMissing,
    field,
    message: `the document labels a value for ${field} and the record has none`,
  });
  for (const field of READER_FIELDS) {
    const allowed = labels.allowed[field];
    if (allowed === undefined) {
      if (record[field] === null && labels.unresolved.has(field) && !labels.unavailable.has(field)) reasons.push(missing(field));
      else if (record[field] !== null && corroboratedFields.includes(field))
        reasons.push({ rule: RULES.uncorroborated, field, message: `no label in the document names ${field}; nothing confirms the record's value` });
      continue;
    }
    if (allowed.size === 0) {
      reasons.push({ rule: RULES.conflictingValues, field, message: `the document labels different values as ${field}` });
      continue;
    }
    const value = canonicalReaderValue(field, record[field]);
    if (value === null) {
      reasons.push(missing(field));
    } else if (!allowed.has(value)) {
      reasons.push({ rule: RULES.valueNotAtLabel, field, message: `${field} is not the value the document labels as such` });
    }
  }
  return reasons;
}

/**
 * The reader's value for a field as a set of one; empty where its readings disagree (a person
 * decides: a record may not leave such a field empty unnoticed), undefined where it reads none.
 */
function readingSet(readings: readonly Reading[] | undefined): ReadonlySet<number | string> | undefined {
  if (!readings || readings.length === 0) return undefined;
  const agreed = agreedReading(readings);
  return agreed === undefined ? new Set() : new Set([agreed]);
}

/** A record's value of a reader field in the readings' canonical form (cents, thousandths, ISO date, digits). */
export function canonicalReaderValue(field: ReaderField, value: string | number | null): string | number | null {
  if (value === null) return null;
  if (typeof value === "string") return value;
  return field === "interest_rate" ? toThousandths(value) : toCents(Math.abs(value));
}
