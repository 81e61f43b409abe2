import { RECORD_FIELDS, scoreRecord, summariseScores } from "@liability/domain";
import type { RecordField, RecordScore } from "@liability/domain";
import type { EvalDocument } from "./dataset.ts";
import type { DocResult, RunInfo } from "./result.ts";

export interface Cost {
  /** USD per hour of the machine the target ran on. */
  pricePerHour: number;
  unit: "gpu-hour" | "cpu-hour";
}

export interface Distribution {
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  max: number;
}

export interface ValidationStats {
  /** Documents that got a status (accepted or review). */
  judged: number;
  review: number;
  reviewShare: number;
  accepted: number;
  acceptedWrong: number;
  /** Error rate among auto-accepted records: what reaches downstream unchecked. */
  acceptedErrorRate: number;
  wrong: number;
  /** Wrong records that validation sent to review. */
  wrongCaught: number;
  wrongCaughtShare: number;
  /** Right records sent to review anyway: reviewer work for nothing. */
  correctToReview: number;
  /** Review reasons and how often they fired. */
  reasons: Record<string, number>;
}

export interface WorstDocument {
  id: string;
  family: string | null;
  kind: string;
  status: string | null;
  error: string | null;
  wrong: { field: RecordField; expected: unknown; actual: unknown }[];
}

export interface GroupStats {
  documents: number;
  wrong: number;
  errorRate: number;
}

/** One line per document in the JSON report: enough to compare runs document by document. */
export interface DocumentOutcome {
  id: string;
  family: string | null;
  kind: string;
  correct: boolean;
  wrongFields: RecordField[];
  latencyMs: number | null;
  status: "accepted" | "review" | null;
  reasons: string[];
  error: string | null;
}

export interface TargetReport {
  name: string;
  mode: "sidecar" | "pipeline";
  address: string;
  model: { id: string; version: string; prompt: string } | null;
  documents: number;
  /** Calls that failed outright (no answer); they count as wrong records. */
  failed: number;
  truncated: number;
  recordErrorRate: number;
  wrongRecords: number;
  fieldAccuracy: Record<RecordField, number>;
  latencyMs: Distribution;
  /** The sidecar's own processing time, when reported. */
  serverMs: Distribution | null;
  tokens: { promptPerDoc: number | null; completionPerDoc: number | null };
  throughput: { wallSeconds: number; docsPerSecond: number; concurrency: number };
  cost: { pricePerHour: number; unit: string; perMillionDocs: number } | null;
  validation: ValidationStats | null;
  byKind: Record<string, GroupStats>;
  byFamily: Record<string, GroupStats>;
  worst: WorstDocument[];
  documentsDetail: DocumentOutcome[];
  note?: string;
}

/** Linear interpolation between closest ranks, as most benchmark tools report percentiles. */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export function distribution(values: readonly number[]): Distribution {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  const mean = sorted.length ? sorted.reduce((s, v) => s + v, 0) / sorted.length : 0;
  return { p50: percentile(sorted, 0.5), p95: percentile(sorted, 0.95), p99: percentile(sorted, 0.99), mean, max: sorted[sorted.length - 1] ?? 0 };
}

/**
 * Cost of a million documents at the measured throughput, on a machine billed per hour
 * and used by nothing else: hours per document × price × 1e6.
 */
export function costPerMillion(pricePerHour: number, wallSeconds: number, documents: number): number {
  if (documents === 0) return 0;
  return (pricePerHour * (wallSeconds / documents) * 1_000_000) / 3600;
}

function mean(values: readonly (number | null)[]): number | null {
  const v = values.filter((x): x is number => x !== null);
  return v.length ? v.reduce((s, x) => s + x, 0) / v.length : null;
}

function group(entries: { key: string; wrong: boolean }[]): Record<string, GroupStats> {
  const out: Record<string, GroupStats> = {};
  for (const { key, wrong } of entries) {
    const g = (out[key] ??= { documents: 0, wrong: 0, errorRate: 0 });
    g.documents++;
    if (wrong) g.wrong++;
  }
  for (const g of Object.values(out)) g.errorRate = g.documents ? g.wrong / g.documents : 0;
  return out;
}

export interface ReportInput {
  name: string;
  mode: "sidecar" | "pipeline";
  address: string;
  docs: readonly EvalDocument[];
  results: ReadonlyMap<string, DocResult>;
  run: RunInfo;
  cost: Cost | null;
  worst: number;
}

export function buildReport(input: ReportInput): TargetReport {
  const { docs, results, run } = input;
  const scored: { doc: EvalDocument; result: DocResult | undefined; score: RecordScore }[] = docs.map((doc) => {
    const result = results.get(doc.id);
    return { doc, result, score: scoreRecord(doc.expected, result?.output ?? null) };
  });
  const summary = summariseScores(scored.map((s) => s.score));
  const answered = scored.filter((s) => s.result && s.result.error === null).map((s) => s.result!);
  const all = scored.map((s) => s.result).filter((r): r is DocResult => r !== undefined);

  let validation: ValidationStats | null = null;
  const judged = scored.filter((s) => s.result?.status);
  if (judged.length > 0) {
    const review = judged.filter((s) => s.result!.status === "review");
    const accepted = judged.filter((s) => s.result!.status === "accepted");
    const wrong = judged.filter((s) => !s.score.correct);
    const reasons: Record<string, number> = {};
    for (const s of review) for (const r of s.result!.reasons) reasons[r] = (reasons[r] ?? 0) + 1;
    const acceptedWrong = accepted.filter((s) => !s.score.correct).length;
    const wrongCaught = review.filter((s) => !s.score.correct).length;
    validation = {
      judged: judged.length,
      review: review.length,
      reviewShare: review.length / judged.length,
      accepted: accepted.length,
      acceptedWrong,
      acceptedErrorRate: accepted.length ? acceptedWrong / accepted.length : 0,
      wrong: wrong.length,
      wrongCaught,
      wrongCaughtShare: wrong.length ? wrongCaught / wrong.length : 0,
      correctToReview: review.length - wrongCaught,
      reasons,
    };
  }

  const throughput = {
    wallSeconds: run.wallSeconds,
    docsPerSecond: run.wallSeconds > 0 ? docs.length / run.wallSeconds : 0,
    concurrency: run.concurrency,
  };
  const worst = scored
    .filter((s) => !s.score.correct)
    .sort((a, b) => b.score.wrongFields.length - a.score.wrongFields.length || a.doc.id.localeCompare(b.doc.id))
    .slice(0, input.worst)
    .map((s) => ({
      id: s.doc.id,
      family: s.doc.family,
      kind: s.doc.kind,
      status: s.result?.status ?? null,
      error: s.result?.error ?? (s.result ? null : "no result"),
      wrong: s.score.wrongFields.map((field) => ({ field, expected: s.doc.expected[field], actual: s.result?.output?.[field] ?? null })),
    }));

  const models = answered.map((r) => r.model).filter((m) => m !== null);
  const serverTimes = answered.map((r) => r.serverMs).filter((v): v is number => v !== null);
  return {
    name: input.name,
    mode: input.mode,
    address: input.address,
    model: models[0] ?? null,
    documents: docs.length,
    failed: docs.length - answered.length,
    truncated: answered.filter((r) => r.truncated).length,
    recordErrorRate: summary.recordErrorRate,
    wrongRecords: summary.wrongRecords,
    fieldAccuracy: summary.fieldAccuracy as Record<RecordField, number>,
    latencyMs: distribution(all.map((r) => r.latencyMs)),
    serverMs: serverTimes.length ? distribution(serverTimes) : null,
    tokens: { promptPerDoc: mean(answered.map((r) => r.promptTokens)), completionPerDoc: mean(answered.map((r) => r.completionTokens)) },
    throughput,
    cost:
      input.cost && input.cost.pricePerHour > 0
        ? {
            pricePerHour: input.cost.pricePerHour,
            unit: input.cost.unit,
            perMillionDocs: costPerMillion(input.cost.pricePerHour, run.wallSeconds, docs.length),
          }
        : null,
    validation,
    byKind: group(scored.map((s) => ({ key: s.doc.kind, wrong: !s.score.correct }))),
    byFamily: group(scored.filter((s) => s.doc.family).map((s) => ({ key: s.doc.family!, wrong: !s.score.correct }))),
    worst,
    documentsDetail: scored.map((s) => ({
      id: s.doc.id,
      family: s.doc.family,
      kind: s.doc.kind,
      correct: s.score.correct,
      wrongFields: [...s.score.wrongFields],
      latencyMs: s.result ? Math.round(s.result.latencyMs) : null,
      status: s.result?.status ?? null,
      reasons: s.result?.reasons ?? [],
      error: s.result?.error ?? (s.result ? null : "no result"),
    })),
    ...(run.note ? { note: run.note } : {}),
  };
}

export { RECORD_FIELDS };
