// The GPU benchmark's report: per-level figures from request samples, the server-overhead
// ratio, the choice of sequences × context under the p99 target, and the Markdown rendering.
import { summariseScores, type RecordScore } from "@liability/domain";
import { mean, percentile } from "./common.ts";

export interface Sample {
  latencyMs: number;
  /** The server's own total (gRPC: timings.total_ms; in-process: the engine's). */
  serverTotalMs: number;
  queueMs: number;
  promptMs: number;
  generationMs: number;
  promptTokens: number;
  /** In-process only: prompt tokens reused from the sequence's previous request. */
  cachedPromptTokens: number | undefined;
  completionTokens: number;
  /** In-process only: completion tokens the model sampled (the rest are appended key names). */
  sampledTokens: number | undefined;
  truncated: boolean;
  score: RecordScore | undefined;
}

export interface GpuWindow {
  memUsedMaxMiB: number;
  memTotalMiB: number;
  utilMeanPct: number;
}

export interface LevelResult {
  concurrency: number;
  requests: number;
  errors: number;
  errorKinds: Record<string, number>;
  wallS: number;
  docsPerS: number;
  latencyMs: { p50: number; p95: number; p99: number; mean: number; max: number };
  meanQueueMs: number;
  meanPromptMs: number;
  meanGenerationMs: number;
  /** Client latency minus the server's total: transport, protobuf, event loops (≈ 0 in-process). */
  meanOverheadMs: number;
  promptTokensPerS: number;
  /** Prompt tokens actually evaluated (not reused), per second; in-process only. */
  evaluatedPromptTokensPerS: number | null;
  completionTokensPerS: number;
  sampledTokensPerS: number | null;
  /** Per request: prompt tokens evaluated ÷ prompt_ms, sampled (or completion) tokens ÷ generation_ms. */
  meanRequestPromptTokPerS: number;
  meanRequestGenerationTokPerS: number;
  /** CPU time of the process running the model, per document. */
  cpuSecondsPerDoc: number;
  truncated: number;
  recordErrorRate: number | null;
  gpu: GpuWindow | null;
}

const round = (n: number, d = 1) => (Number.isFinite(n) ? Math.round(n * 10 ** d) / 10 ** d : n);

export function summarise(
  samples: Sample[],
  info: { concurrency: number; wallMs: number; cpuSeconds: number; errors: string[]; gpu: GpuWindow | null },
): LevelResult {
  const wallS = info.wallMs / 1000;
  const lat = samples.map((s) => s.latencyMs).sort((a, b) => a - b);
  const sum = (f: (s: Sample) => number) => samples.reduce((a, s) => a + f(s), 0);
  const inProcess = samples.length > 0 && samples.every((s) => s.cachedPromptTokens !== undefined);
  const evaluated = (s: Sample) => s.promptTokens - (s.cachedPromptTokens ?? 0);
  const generated = (s: Sample) => s.sampledTokens ?? s.completionTokens;
  const scores = samples.map((s) => s.score).filter((s): s is RecordScore => s !== undefined);
  const errorKinds: Record<string, number> = {};
  for (const e of info.errors) errorKinds[e] = (errorKinds[e] ?? 0) + 1;
  return {
    concurrency: info.concurrency,
    requests: samples.length,
    errors: info.errors.length,
    errorKinds,
    wallS: round(wallS, 2),
    docsPerS: round(samples.length / wallS, 2),
    latencyMs: {
      p50: round(percentile(lat, 50)),
      p95: round(percentile(lat, 95)),
      p99: round(percentile(lat, 99)),
      mean: round(mean(lat)),
      max: round(lat[lat.length - 1] ?? Number.NaN),
    },
    meanQueueMs: round(mean(samples.map((s) => s.queueMs))),
    meanPromptMs: round(mean(samples.map((s) => s.promptMs))),
    meanGenerationMs: round(mean(samples.map((s) => s.generationMs))),
    meanOverheadMs: round(mean(samples.map((s) => s.latencyMs - s.serverTotalMs)), 2),
    promptTokensPerS: round(sum((s) => s.promptTokens) / wallS),
    evaluatedPromptTokensPerS: inProcess ? round(sum(evaluated) / wallS) : null,
    completionTokensPerS: round(sum((s) => s.completionTokens) / wallS),
    sampledTokensPerS: inProcess ? round(sum((s) => s.sampledTokens ?? 0) / wallS) : null,
    meanRequestPromptTokPerS: round(mean(samples.filter((s) => s.promptMs > 0).map((s) => (evaluated(s) * 1000) / s.promptMs))),
    meanRequestGenerationTokPerS: round(mean(samples.filter((s) => s.generationMs > 0).map((s) => (generated(s) * 1000) / s.generationMs))),
    cpuSecondsPerDoc: round(info.cpuSeconds / Math.max(1, samples.length), 3),
    truncated: samples.filter((s) => s.truncated).length,
    recordErrorRate: scores.length > 0 ? round(summariseScores(scores).recordErrorRate, 3) : null,
    gpu: info.gpu,
  };
}

export interface OverheadRow {
  concurrency: number;
  /** gRPC p50 latency ÷ in-process p50 latency (1 = the server adds nothing). */
  latencyRatioP50: number;
  latencyRatioMean: number;
  /** gRPC docs/s ÷ in-process docs/s. */
  throughputRatio: number;
  /** Mean client latency − server total over gRPC, ms. */
  meanOverheadMs: number;
}

export function overheadRows(grpc: LevelResult[], inProcess: LevelResult[]): OverheadRow[] {
  const rows: OverheadRow[] = [];
  for (const g of grpc) {
    const p = inProcess.find((r) => r.concurrency === g.concurrency);
    if (!p || g.requests === 0 || p.requests === 0) continue;
    rows.push({
      concurrency: g.concurrency,
      latencyRatioP50: round(g.latencyMs.p50 / p.latencyMs.p50, 3),
      latencyRatioMean: round(g.latencyMs.mean / p.latencyMs.mean, 3),
      throughputRatio: round(g.docsPerS / p.docsPerS, 3),
      meanOverheadMs: g.meanOverheadMs,
    });
  }
  return rows;
}

export interface SweepResult extends LevelResult {
  sequences: number;
  contextSize: number;
  /** Why the setting could not be measured (e.g. the context did not fit), if so. */
  failed?: string;
}

export interface SweepChoice {
  best: { sequences: number; contextSize: number; docsPerS: number; p99Ms: number } | null;
  rule: string;
  note: string;
}

/**
 * The setting with the most documents/s among those with p99 under the target, no failed
 * requests and no more truncated documents than the least-truncating setting measured (a smaller
 * context must not buy speed by cutting documents).
 */
export function chooseSetting(results: SweepResult[], p99TargetMs: number): SweepChoice {
  const rule = `max documents/s with p99 < ${p99TargetMs} ms, no errors, truncation no higher than the least-truncating setting`;
  const measured = results.filter((r) => r.failed === undefined && r.requests > 0);
  if (measured.length === 0) return { best: null, rule, note: "no setting was measured" };
  const share = (r: SweepResult) => r.truncated / r.requests;
  const leastTruncation = Math.min(...measured.map(share));
  const eligible = measured.filter((r) => r.errors === 0 && r.latencyMs.p99 < p99TargetMs && share(r) <= leastTruncation + 1e-9);
  if (eligible.length === 0) {
    const fastest = [...measured].sort((a, b) => a.latencyMs.p99 - b.latencyMs.p99)[0]!;
    return {
      best: null,
      rule,
      note: `no setting met it; the lowest p99 was ${fastest.latencyMs.p99} ms (${fastest.sequences} sequences, context ${fastest.contextSize}, ${fastest.docsPerS} docs/s)`,
    };
  }
  const best = [...eligible].sort((a, b) => b.docsPerS - a.docsPerS)[0]!;
  return {
    best: { sequences: best.sequences, contextSize: best.contextSize, docsPerS: best.docsPerS, p99Ms: best.latencyMs.p99 },
    rule,
    note: `${eligible.length} of ${measured.length} measured settings met the target`,
  };
}

export interface GpuBenchReport {
  schema: "gpu-bench/1";
  startedAt: string;
  finishedAt: string | null;
  complete: boolean;
  stoppedBy: string | null;
  command: string;
  machine: Record<string, unknown>;
  runtime: Record<string, unknown> | null;
  config: Record<string, unknown>;
  model: Record<string, unknown> | null;
  grpc: LevelResult[];
  inProcess: LevelResult[];
  overhead: OverheadRow[];
  sweep: { p99TargetMs: number; windowS: number; results: SweepResult[]; choice: SweepChoice | null };
  gpuMemory: Record<string, unknown> | "n/a";
  skipped: { unit: string; reason: string }[];
  notes: string[];
}

const f = (n: number | null | undefined, d = 1) => (n === null || n === undefined || !Number.isFinite(n) ? "–" : n.toFixed(d));

function levelTable(rows: LevelResult[], grpc: boolean): string[] {
  const out = [
    "| in flight | n | err | docs/s | p50 ms | p95 ms | p99 ms | queue ms | prompt ms | gen ms | " +
      (grpc ? "overhead ms | " : "") +
      "prompt tok/s | compl tok/s | CPU s/doc | truncated | rec err | GPU mem MiB | GPU util % |",
    `|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|${grpc ? "---:|" : ""}---:|---:|---:|---:|---:|---:|---:|`,
  ];
  for (const r of rows) {
    out.push(
      `| ${r.concurrency} | ${r.requests} | ${r.errors} | ${f(r.docsPerS, 2)} | ${f(r.latencyMs.p50, 0)} | ${f(r.latencyMs.p95, 0)} | ${f(r.latencyMs.p99, 0)} | ${f(r.meanQueueMs, 0)} | ${f(r.meanPromptMs, 0)} | ${f(r.meanGenerationMs, 0)} | ` +
        (grpc ? `${f(r.meanOverheadMs, 2)} | ` : "") +
        `${f(r.promptTokensPerS, 0)} | ${f(r.completionTokensPerS, 0)} | ${f(r.cpuSecondsPerDoc, 3)} | ${r.truncated} | ${f(r.recordErrorRate, 2)} | ${r.gpu ? f(r.gpu.memUsedMaxMiB, 0) : "n/a"} | ${r.gpu ? f(r.gpu.utilMeanPct, 0) : "n/a"} |`,
    );
  }
  return out;
}

export function renderMarkdown(r: GpuBenchReport): string {
  const lines: string[] = [
    "# GPU benchmark",
    "",
    `${r.startedAt} → ${r.finishedAt ?? "(unfinished)"}${r.complete ? "" : ` · **incomplete**${r.stoppedBy ? ` (${r.stoppedBy})` : ""}`}`,
    "",
    `Command: \`${r.command}\``,
    "",
    `Machine: ${JSON.stringify(r.machine)}`,
    "",
    `Runtime: ${JSON.stringify(r.runtime)}`,
    "",
    `Model: ${JSON.stringify(r.model)}`,
    "",
    `Settings: ${JSON.stringify(r.config)}`,
    "",
    "Latency is client-side wall time per request; queue/prompt/gen are the server's timings (means); tokens/s are totals over the level's wall time; CPU s/doc is the CPU time of the process running the model.",
    "",
    "## Over gRPC (the sidecar as deployed)",
    "",
    ...(r.grpc.length ? levelTable(r.grpc, true) : ["(not measured)"]),
    "",
    "## In-process (the same engine, no gRPC)",
    "",
    ...(r.inProcess.length ? levelTable(r.inProcess, false) : ["(not measured)"]),
    "",
    "## Server overhead",
    "",
  ];
  if (r.overhead.length) {
    lines.push("| in flight | p50 ratio (gRPC ÷ in-process) | mean ratio | docs/s ratio | overhead ms |", "|---:|---:|---:|---:|---:|");
    for (const o of r.overhead)
      lines.push(`| ${o.concurrency} | ${f(o.latencyRatioP50, 3)} | ${f(o.latencyRatioMean, 3)} | ${f(o.throughputRatio, 3)} | ${f(o.meanOverheadMs, 2)} |`);
  } else lines.push("(needs both runs)");
  lines.push("", `## Sequences × context (closed loop, in flight = sequences, ${r.sweep.windowS} s each)`, "");
  if (r.sweep.results.length) {
    lines.push(
      "| sequences | context | n | err | docs/s | p50 ms | p95 ms | p99 ms | truncated | GPU mem MiB | note |",
      "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    );
    for (const s of r.sweep.results) {
      lines.push(
        `| ${s.sequences} | ${s.contextSize} | ${s.requests} | ${s.errors} | ${f(s.docsPerS, 2)} | ${f(s.latencyMs.p50, 0)} | ${f(s.latencyMs.p95, 0)} | ${f(s.latencyMs.p99, 0)} | ${s.truncated} | ${s.gpu ? f(s.gpu.memUsedMaxMiB, 0) : "n/a"} | ${s.failed ?? ""} |`,
      );
    }
    const c = r.sweep.choice;
    lines.push(
      "",
      c?.best
        ? `**Chosen: ${c.best.sequences} sequences, context ${c.best.contextSize}: ${c.best.docsPerS} docs/s at p99 ${c.best.p99Ms} ms** (${c.rule}; ${c.note}).`
        : `No setting chosen: ${c?.note ?? "not measured"} (${c?.rule ?? ""}).`,
    );
  } else lines.push("(not measured)");
  lines.push("", "## GPU memory", "", typeof r.gpuMemory === "string" ? r.gpuMemory : `\`${JSON.stringify(r.gpuMemory)}\``);
  if (r.skipped.length) lines.push("", "## Skipped", "", ...r.skipped.map((s) => `- ${s.unit}: ${s.reason}`));
  if (r.notes.length) lines.push("", "## Notes", "", ...r.notes.map((n) => `- ${n}`));
  return `${lines.join("\n")}\n`;
}
