import { DATE_FIELDS, MONEY_FIELDS, RECORD_FIELDS } from "./record.ts";
import type { LiabilityRecord, RecordField } from "./record.ts";

/**
 * Scoring exactly as shared/spec/liability-record.md defines it: how a human checker
 * would decide whether an extracted record is right. Pure: no I/O.
 *
 * The "actual" side is typed loosely on purpose: it is whatever a model produced, which
 * may have wrong types, missing keys or not parse at all, and all of that must score as
 * wrong rather than throw.
 */

export type ExtractedRecord = Readonly<Record<string, unknown>>;

export interface RecordScore {
  /** True when every one of the 11 fields is right. */
  readonly correct: boolean;
  /** Per field: true when right. */
  readonly fields: Readonly<Record<RecordField, boolean>>;
  /** Fields that are wrong, in spec order. */
  readonly wrongFields: readonly RecordField[];
}

export interface ScoreSummary {
  readonly records: number;
  readonly wrongRecords: number;
  /** wrong records / all records; 0 when there are no records. */
  readonly recordErrorRate: number;
  /** Per field: share of records where the field is right; 0 when there are no records. */
  readonly fieldAccuracy: Readonly<Record<RecordField, number>>;
  /** Per field: how many records got the field wrong. */
  readonly fieldErrors: Readonly<Record<RecordField, number>>;
}

const MONEY = new Set<RecordField>(MONEY_FIELDS);
const DATES = new Set<RecordField>(DATE_FIELDS);

/**
 * Scales a number to an integer count of units (cents, thousandths of a percent).
 * toPrecision(12) first removes binary noise such as 0.285 * 100 = 28.499999999999996,
 * which would otherwise round the wrong way.
 */
function toUnits(value: number, scale: number): number {
  return Math.round(Number((value * scale).toPrecision(12)));
}

/** Lower case, punctuation dropped, runs of whitespace collapsed, trimmed. */
export function normaliseLenderName(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s]/gu, "")
    .replace(/\s+/g, " ")
    .trim();
}

/** Spec rule: normalised names match when either contains the other. */
export function lenderNamesMatch(expected: string, actual: string): boolean {
  const e = normaliseLenderName(expected);
  const a = normaliseLenderName(actual);
  // An empty name is contained in every string; it must not count as a match.
  if (e.length === 0 || a.length === 0) return e === a;
  return e.includes(a) || a.includes(e);
}

/** Compares one field; null on one side only is wrong, null on both is right. */
export function fieldMatches(field: RecordField, expected: unknown, actual: unknown): boolean {
  // A missing key means "not stated", the same as null (proto3 optional maps that way too).
  const e = expected === undefined ? null : expected;
  const a = actual === undefined ? null : actual;
  if (e === null || a === null) return e === a;

  if (MONEY.has(field)) {
    return isFiniteNumber(e) && isFiniteNumber(a) && toUnits(e, 100) === toUnits(a, 100);
  }
  if (field === "interest_rate") {
    return isFiniteNumber(e) && isFiniteNumber(a) && toUnits(e, 1000) === toUnits(a, 1000);
  }
  if (field === "lender_name") {
    return typeof e === "string" && typeof a === "string" && lenderNamesMatch(e, a);
  }
  if (DATES.has(field) || field === "liability_type" || field === "account_last4") {
    return typeof e === "string" && typeof a === "string" && e === a;
  }
  return false;
}

function isFiniteNumber(v: unknown): v is number {
  return typeof v === "number" && Number.isFinite(v);
}

/**
 * Scores one extraction against its label. `actual` is null when the model produced
 * nothing usable (no parseable record): every field then counts as wrong, because a
 * checker has nothing to accept, even for fields whose true value is null.
 */
export function scoreRecord(expected: LiabilityRecord, actual: ExtractedRecord | null): RecordScore {
  const fields = {} as Record<RecordField, boolean>;
  const wrongFields: RecordField[] = [];
  for (const field of RECORD_FIELDS) {
    const ok = actual !== null && fieldMatches(field, expected[field], actual[field]);
    fields[field] = ok;
    if (!ok) wrongFields.push(field);
  }
  return { correct: wrongFields.length === 0, fields, wrongFields };
}

/** Record error rate and per-field accuracy over a set of scored records. */
export function summariseScores(scores: Iterable<RecordScore>): ScoreSummary {
  let records = 0;
  let wrongRecords = 0;
  const fieldErrors = {} as Record<RecordField, number>;
  for (const field of RECORD_FIELDS) fieldErrors[field] = 0;
  for (const score of scores) {
    records += 1;
    if (!score.correct) wrongRecords += 1;
    for (const field of RECORD_FIELDS) if (!score.fields[field]) fieldErrors[field] += 1;
  }
  const fieldAccuracy = {} as Record<RecordField, number>;
  for (const field of RECORD_FIELDS) {
    fieldAccuracy[field] = records === 0 ? 0 : (records - fieldErrors[field]) / records;
  }
  return {
    records,
    wrongRecords,
    recordErrorRate: records === 0 ? 0 : wrongRecords / records,
    fieldAccuracy,
    fieldErrors,
  };
}
