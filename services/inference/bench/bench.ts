// Sidecar benchmark (not a test). Drives the sidecar over gRPC with concurrent requests over a
// labelled JSONL file, then runs the same model in-process through the engine (node-llama-cpp,
// no gRPC, no process hop) to show what the server costs.
//
//   node services/inference/bench/bench.ts [--file docs.jsonl] [--concurrency 1,2,4,8]
//       [--requests N] [--mode both|grpc|inprocess] [--address unix:/path.sock]
//       [--threads N] [--sequences N] [--json results.json]
//
// Without --address it starts the sidecar (src/main.ts) as a child process on a temporary Unix
// socket, with the same model settings the in-process run uses. Other INFERENCE_* variables
// (model, adapter, context size, confidence) apply to both runs.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import * as grpc from "@grpc/grpc-js";
import { InferenceService, kindToProto } from "@liability/contracts";
import { scoreRecord, summariseScores, type LabelledDocument, type RecordScore } from "@liability/domain";
import { createServiceClient } from "@liability/platform";
import { loadInferenceConfig } from "../src/config.ts";
import { LlamaEngine } from "../src/engine.ts";
import { engineOptions } from "../src/sidecar.ts";
import { loadDocuments, mean, ownCpu, percentile, processCpu, waitServing, type CpuClock } from "./common.ts";

const { values } = parseArgs({
  options: {
    file: { type: "string", default: "/work/shared/spec/examples.jsonl" },
    concurrency: { type: "string", default: "1,2,4,8" },
    requests: { type: "string" },
    mode: { type: "string", default: "both" },
    address: { type: "string" },
    threads: { type: "string" },
    sequences: { type: "string" },
    json: { type: "string" },
  },
});
const levels = values.concurrency.split(",").map(Number);
if (levels.some((c) => !Number.isInteger(c) || c < 1)) throw new Error("--concurrency: comma-separated positive integers");
if (!["both", "grpc", "inprocess"].includes(values.mode)) throw new Error("--mode: both, grpc or inprocess");

const docs: LabelledDocument[] = loadDocuments(values.file);

const env: Record<string, string | undefined> = {
  ...process.env,
  INFERENCE_THREADS: values.threads ?? process.env.INFERENCE_THREADS ?? String(availableParallelism()),
  INFERENCE_SEQUENCES: values.sequences ?? process.env.INFERENCE_SEQUENCES ?? String(Math.max(...levels)),
  // The bench measures queueing, not shedding.
  INFERENCE_MAX_QUEUE: "1000",
  INFERENCE_GPU: process.env.INFERENCE_GPU ?? "off",
  LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
};
const config = loadInferenceConfig(env);

interface Sample {
  latencyMs: number;
  serverTotalMs: number;
  queueMs: number;
  promptMs: number;
  generationMs: number;
  promptTokens: number;
  completionTokens: number;
  score: RecordScore | undefined;
}

type RunOne = (doc: LabelledDocument) => Promise<Sample>;

interface LevelResult {
  mode: string;
  concurrency: number;
  requests: number;
  wallMs: number;
  docsPerSecond: number;
  completionTokensPerSecond: number;
  promptTokensPerSecond: number;
  p50: number;
  p95: number;
  p99: number;
  meanQueueMs: number;
  meanPromptMs: number;
  meanGenerationMs: number;
  meanServerOverheadMs: number;
  /** CPU time (user + system) of the process running the model, per document. */
  cpuSecondsPerDoc: number;
  recordErrorRate: number;
}

async function runLevel(mode: string, concurrency: number, runOne: RunOne, cpu: CpuClock): Promise<LevelResult> {
  const total = values.requests ? Number(values.requests) : Math.max(2 * concurrency, docs.length);
  let next = 0;
  const samples: Sample[] = [];
  const cpuStarted = cpu();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const doc = docs[next++ % docs.length]!;
        samples.push(await runOne(doc));
      }
    }),
  );
  const wallMs = performance.now() - started;
  const cpuSeconds = cpu() - cpuStarted;
  const latencies = samples.map((s) => s.latencyMs).sort((a, b) => a - b);
  const scores = samples.map((s) => s.score).filter((s): s is RecordScore => s !== undefined);
  return {
    mode,
    concurrency,
    requests: samples.length,
    wallMs,
    docsPerSecond: (samples.length * 1000) / wallMs,
    completionTokensPerSecond: (samples.reduce((a, s) => a + s.completionTokens, 0) * 1000) / wallMs,
    promptTokensPerSecond: (samples.reduce((a, s) => a + s.promptTokens, 0) * 1000) / wallMs,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    meanQueueMs: mean(samples.map((s) => s.queueMs)),
    meanPromptMs: mean(samples.map((s) => s.promptMs)),
    meanGenerationMs: mean(samples.map((s) => s.generationMs)),
    meanServerOverheadMs: mean(samples.map((s) => s.latencyMs - s.serverTotalMs)),
    cpuSecondsPerDoc: cpuSeconds / samples.length,
    recordErrorRate: scores.length ? summariseScores(scores).recordErrorRate : Number.NaN,
  };
}

function printHeader(): void {
  console.log(
    [
      "mode",
      "conc",
      "n",
      "docs/s",
      "compl tok/s",
      "prompt tok/s",
      "p50 ms",
      "p95 ms",
      "p99 ms",
      "queue ms",
      "prompt ms",
      "gen ms",
      "overhead ms",
      "cpu s/doc",
      "rec err",
    ]
      .map((h) => h.padStart(13))
      .join(""),
  );
}

function printRow(r: LevelResult): void {
  const f = (n: number, d = 0) => n.toFixed(d).padStart(13);
  console.log(
    [
      r.mode.padStart(13),
      f(r.concurrency),
      f(r.requests),
      f(r.docsPerSecond, 3),
      f(r.completionTokensPerSecond, 1),
      f(r.promptTokensPerSecond, 1),
      f(r.p50),
      f(r.p95),
      f(r.p99),
      f(r.meanQueueMs),
      f(r.meanPromptMs),
      f(r.meanGenerationMs),
      f(r.meanServerOverheadMs, 1),
      f(r.cpuSecondsPerDoc, 2),
      f(r.recordErrorRate, 2),
    ].join(""),
  );
}

/**
 * Not measured: one request per sequence at once, so every sequence holds the evaluated
 * system prompt as it would in a running sidecar (otherwise the first use of each sequence
 * evaluates the whole prompt and the higher concurrency levels look worse than they are).
 */
async function warmAllSequences(runOne: RunOne): Promise<void> {
  const n = values.address === undefined ? config.INFERENCE_SEQUENCES : Math.max(...levels);
  await Promise.all(Array.from({ length: n }, (_, i) => runOne(docs[i % docs.length]!)));
}

async function benchGrpc(): Promise<LevelResult[]> {
  let child: ChildProcess | undefined;
  let socketDir: string | undefined;
  let address = values.address;
  if (address === undefined) {
    socketDir = mkdtempSync(join(tmpdir(), "inference-bench-"));
    address = `unix:${join(socketDir, "sidecar.sock")}`;
    child = spawn(process.execPath, [fileURLToPath(new URL("../src/main.ts", import.meta.url))], {
      env: { ...env, INFERENCE_LISTEN_ADDRESS: address },
      stdio: ["ignore", "inherit", "inherit"],
    });
    // Interrupting the bench must not leave a sidecar running.
    const stopChild = () => {
      child?.kill("SIGTERM");
      process.exit(130);
    };
    process.once("SIGINT", stopChild);
    process.once("SIGTERM", stopChild);
  }
  try {
    await waitServing(address, 300_000);
    const client = createServiceClient(InferenceService, address, grpc.credentials.createInsecure());
    const runOne: RunOne = async (doc) => {
      const started = performance.now();
      const r = await client.extract({ documentId: doc.id, kind: kindToProto(doc.kind), text: doc.text }, { deadline: new Date(Date.now() + 600_000) });
      const latencyMs = performance.now() - started;
      return {
        latencyMs,
        serverTotalMs: r.timings?.totalMs ?? 0,
        queueMs: r.timings?.queueMs ?? 0,
        promptMs: r.timings?.promptMs ?? 0,
        generationMs: r.timings?.generationMs ?? 0,
        promptTokens: r.usage?.promptTokens ?? 0,
        completionTokens: r.usage?.completionTokens ?? 0,
        score: doc.expected ? scoreRecord(doc.expected, JSON.parse(r.rawOutput)) : undefined,
      };
    };
    await warmAllSequences(runOne);
    const results: LevelResult[] = [];
    for (const c of levels) {
      // Without a child process of our own (--address), the model's CPU time is not visible.
      const r = await runLevel("grpc", c, runOne, child?.pid ? processCpu(child.pid) : () => Number.NaN);
      printRow(r);
      results.push(r);
    }
    client.channel.close();
    return results;
  } finally {
    if (child) {
      child.kill("SIGTERM");
      await new Promise((r) => child!.once("exit", r));
    }
    if (socketDir) rmSync(socketDir, { recursive: true, force: true });
  }
}

async function benchInProcess(): Promise<LevelResult[]> {
  const engine = await LlamaEngine.load(engineOptions(config));
  try {
    await engine.warmUp();
    const runOne: RunOne = async (doc) => {
      const started = performance.now();
      const out = await engine.extract({ documentId: doc.id, kind: doc.kind, text: doc.text }, { signal: new AbortController().signal });
      return {
        latencyMs: performance.now() - started,
        serverTotalMs: out.timings.totalMs,
        queueMs: out.timings.queueMs,
        promptMs: out.timings.promptMs,
        generationMs: out.timings.generationMs,
        promptTokens: out.promptTokens,
        completionTokens: out.completionTokens,
        score: doc.expected ? scoreRecord(doc.expected, JSON.parse(out.rawOutput)) : undefined,
      };
    };
    await warmAllSequences(runOne);
    const results: LevelResult[] = [];
    for (const c of levels) {
      const r = await runLevel("in-process", c, runOne, ownCpu);
      printRow(r);
      results.push(r);
    }
    return results;
  } finally {
    await engine.close();
  }
}

console.log(
  `# ${new Date().toISOString()} · ${cpus().length} CPUs (${cpus()[0]?.model ?? "?"}) · ${(totalmem() / 2 ** 30).toFixed(0)} GiB · load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`,
);
console.log(
  `# model ${config.INFERENCE_MODEL_PATH} · threads ${config.INFERENCE_THREADS} · sequences ${config.INFERENCE_SEQUENCES} · context ${config.INFERENCE_CONTEXT_SIZE} · confidence ${config.INFERENCE_CONFIDENCE} · ${docs.length} documents from ${values.file}`,
);
console.log(
  "# latency: client-side wall time; queue/prompt/gen: server timings (means); overhead: latency minus server total; cpu s/doc: CPU time of the process running the model",
);
printHeader();
const all: LevelResult[] = [];
if (values.mode !== "inprocess") all.push(...(await benchGrpc()));
if (values.mode !== "grpc") all.push(...(await benchInProcess()));
if (values.json)
  writeFileSync(
    values.json,
    JSON.stringify(
      { date: new Date().toISOString(), config: { threads: config.INFERENCE_THREADS, sequences: config.INFERENCE_SEQUENCES }, results: all },
      null,
      2,
    ),
  );
