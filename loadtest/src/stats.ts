import type { MachineSample } from "./procstat.ts";
import type { Phase } from "./profiles.ts";
import { OUTCOME_NONE, type RunState } from "./run-state.ts";

/** Nearest-rank percentile of an ascending array; NaN when empty. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

export function summarise(values: number[] | Float64Array): LatencySummary {
  const sorted = Float64Array.from(values).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    count: sorted.length,
    p50: round(percentile(sorted, 50)),
    p90: round(percentile(sorted, 90)),
    p99: round(percentile(sorted, 99)),
    p999: round(percentile(sorted, 99.9)),
    max: round(sorted.length ? sorted[sorted.length - 1]! : Number.NaN),
    mean: round(sorted.length ? sum / sorted.length : Number.NaN),
  };
}

export function round(n: number, digits = 1): number {
  if (!Number.isFinite(n)) return n;
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** What the driver samples once a second while a run is on. */
export interface Sample {
  /** Seconds since the producer started. */
  t: number;
  /** Consumer lag of the worker group on the documents topic (broker's view), when known. */
  lag: number | undefined;
  /** Published but without an outcome yet (the driver's own view, independent of the group). */
  backlog: number;
  sidecar: Record<string, number> | undefined;
  machine: MachineSample;
}

export interface SecondPoint {
  t: number;
  offered: number;
  published: number;
  completed: number;
  /** Observed end-to-end latency of the documents completed in this second. */
  p50: number;
  p99: number;
  max: number;
  /** Commit latency (recorded_at − received_at) of the same documents. */
  commitP99: number;
  lag: number | undefined;
  backlog: number;
  sidecarQueued: number | undefined;
  sidecarInFlight: number | undefined;
  busyCores: number;
  load1: number;
  cpu: Record<string, number>;
  rssMiB: Record<string, number>;
}

/** Folds the per-document arrays and the per-second samples into one point per second. */
export function timeline(state: RunState, startMs: number, offeredPerSecond: number[], samples: Sample[]): SecondPoint[] {
  const seconds = Math.max(offeredPerSecond.length, ...samples.map((s) => Math.floor(s.t) + 1), 1);
  const published = new Array<number>(seconds).fill(0);
  const observed: number[][] = Array.from({ length: seconds }, () => []);
  const commit: number[][] = Array.from({ length: seconds }, () => []);
  for (let i = 0; i < state.published; i++) {
    const sent = state.sentAt[i]!;
    const ps = Math.floor((sent - startMs) / 1000);
    if (ps >= 0 && ps < seconds) published[ps]!++;
    if (state.outcome[i] === OUTCOME_NONE) continue;
    const lat = state.observedLatency[i]!;
    const cs = Math.floor((sent + lat - startMs) / 1000);
    if (cs < 0 || cs >= seconds) continue;
    observed[cs]!.push(lat);
    const c = state.commitLatency[i]!;
    if (!Number.isNaN(c)) commit[cs]!.push(c);
  }
  const bySecond = new Map(samples.map((s) => [Math.floor(s.t), s]));
  const points: SecondPoint[] = [];
  for (let t = 0; t < seconds; t++) {
    const o = Float64Array.from(observed[t]!).sort();
    const c = Float64Array.from(commit[t]!).sort();
    const s = bySecond.get(t);
    const cpu: Record<string, number> = {};
    const rss: Record<string, number> = {};
    for (const p of s?.machine.processes ?? []) {
      cpu[p.label] = round(p.cpu, 3);
      rss[p.label] = round(p.rssMiB);
    }
    if (s) cpu["other (not watched)"] = round(s.machine.otherCores, 3);
    points.push({
      t,
      offered: round(offeredPerSecond[t] ?? 0),
      published: published[t]!,
      completed: o.length,
      p50: round(percentile(o, 50)),
      p99: round(percentile(o, 99)),
      max: round(o.length ? o[o.length - 1]! : Number.NaN),
      commitP99: round(percentile(c, 99)),
      lag: s?.lag,
      backlog: s?.backlog ?? 0,
      sidecarQueued: s?.sidecar?.queued,
      sidecarInFlight: s?.sidecar?.inFlight,
      busyCores: round(s?.machine.busyCores ?? 0, 3),
      load1: s?.machine.load1 ?? Number.NaN,
      cpu,
      rssMiB: rss,
    });
  }
  return points;
}

export interface PhaseResult {
  label: string;
  fromS: number;
  toS: number;
  offeredRate: number;
  publishedRate: number;
  /** Outcomes per second whose completion fell inside the phase. */
  completedRate: number;
  /** Latency of the documents published inside the phase (observed at the driver). */
  latency: LatencySummary;
  /** recorded_at − received_at for the same documents. */
  commitLatency: LatencySummary;
  /** Documents published in the phase still without an outcome at the end of the run. */
  unfinished: number;
  backlogAtEnd: number;
  maxLag: number | undefined;
  maxSidecarQueued: number | undefined;
  meanCpu: Record<string, number>;
  meanBusyCores: number;
}

/** Mean of the profile's rate over [fromS, toS), integrated numerically. */
export function meanRate(rate: (tS: number) => number, fromS: number, toS: number): number {
  const n = Math.max(1, Math.round((toS - fromS) * 100));
  let sum = 0;
  for (let i = 0; i < n; i++) sum += rate(fromS + ((i + 0.5) * (toS - fromS)) / n);
  return sum / n;
}

export function phaseResults(state: RunState, startMs: number, phases: Phase[], points: SecondPoint[], rate: (tS: number) => number): PhaseResult[] {
  return phases.map((phase) => {
    const from = startMs + phase.fromS * 1000;
    const to = startMs + phase.toS * 1000;
    const observed: number[] = [];
    const commit: number[] = [];
    let unfinished = 0;
    let published = 0;
    let completedInside = 0;
    for (let i = 0; i < state.published; i++) {
      const sent = state.sentAt[i]!;
      const lat = state.observedLatency[i]!;
      if (state.outcome[i] !== OUTCOME_NONE) {
        const done = sent + lat;
        if (done >= from && done < to) completedInside++;
      }
      if (sent < from || sent >= to) continue;
      published++;
      if (state.outcome[i] === OUTCOME_NONE) {
        unfinished++;
        continue;
      }
      observed.push(lat);
      const c = state.commitLatency[i]!;
      if (!Number.isNaN(c)) commit.push(c);
    }
    const inside = points.filter((p) => p.t >= phase.fromS && p.t < phase.toS);
    const seconds = Math.max(1e-9, phase.toS - phase.fromS);
    const meanCpu: Record<string, number> = {};
    for (const p of inside) for (const [k, v] of Object.entries(p.cpu)) meanCpu[k] = (meanCpu[k] ?? 0) + v / inside.length;
    for (const k of Object.keys(meanCpu)) meanCpu[k] = round(meanCpu[k]!, 2);
    const lags = inside.map((p) => p.lag).filter((v): v is number => v !== undefined);
    const queues = inside.map((p) => p.sidecarQueued).filter((v): v is number => v !== undefined);
    return {
      label: phase.label,
      fromS: phase.fromS,
      toS: phase.toS,
      offeredRate: round(meanRate(rate, phase.fromS, phase.toS)),
      publishedRate: round(published / seconds),
      completedRate: round(completedInside / seconds),
      latency: summarise(observed),
      commitLatency: summarise(commit),
      unfinished,
      backlogAtEnd: inside.at(-1)?.backlog ?? 0,
      maxLag: lags.length ? Math.max(...lags) : undefined,
      maxSidecarQueued: queues.length ? Math.max(...queues) : undefined,
      meanCpu,
      meanBusyCores: round(inside.reduce((a, p) => a + p.busyCores, 0) / Math.max(1, inside.length), 2),
    };
  });
}

export interface Saturation {
  /** Highest offered rate the system kept up with inside the latency target. */
  sustainedRate: number | undefined;
  /** Its p99 (observed), ms. */
  sustainedP99: number | undefined;
  /** First offered rate at which it fell behind or missed the target. */
  saturatedAt: number | undefined;
  /** Highest completion rate seen in any phase: the throughput ceiling. */
  peakCompletedRate: number;
  criterion: string;
}

/**
 * A ramp step counts as sustained when the system completed at least 97% of what was offered
 * during the step, finished everything offered in it, and kept p99 under the target.
 */
export function findSaturation(results: PhaseResult[], p99TargetMs: number): Saturation {
  let sustained: PhaseResult | undefined;
  let saturatedAt: number | undefined;
  for (const r of results) {
    const ok = r.latency.count > 0 && r.completedRate >= 0.97 * r.offeredRate && r.unfinished === 0 && r.latency.p99 < p99TargetMs;
    if (ok && saturatedAt === undefined) sustained = r;
    else if (!ok && saturatedAt === undefined) saturatedAt = r.offeredRate;
  }
  return {
    sustainedRate: sustained?.offeredRate,
    sustainedP99: sustained?.latency.p99,
    saturatedAt,
    peakCompletedRate: Math.max(0, ...results.map((r) => r.completedRate)),
    criterion: `completed ≥ 97% of offered, nothing left unfinished, p99 < ${p99TargetMs} ms`,
  };
}
