// GPU benchmark of the sidecar (issue 17): one command, bounded in time, writes a report.
//
//   node services/inference/bench/gpu-bench.ts [--file docs.jsonl] [--levels 1,8,32,128,256]
//       [--sequences N] [--context N] [--window-s 12] [--max-requests N]
//       [--sweep-sequences 32,64,128,256] [--sweep-contexts 2048,4096] [--sweep-window-s 10]
//       [--phases grpc,inprocess,sweep] [--deadline-s 480 | --deadline-at EPOCH_S]
//       [--p99-target-ms 200] [--threads N] [--batch-size N] [--out DIR]
//
// 1. grpc: the sidecar (src/main.ts) as a child process on a Unix socket, with `--sequences`
//    (default: the highest level) and `--context`; closed loops of 1, 8, 32, 128 and 256 requests
//    in flight, each for a window of `--window-s` seconds: documents/s, latency p50/p95/p99,
//    prompt and generation tokens/s, CPU per document, GPU memory and utilisation (nvidia-smi).
// 2. inprocess: the same engine and settings in this process, no gRPC: the server's overhead.
// 3. sweep: the sidecar at each sequences × context setting, `sequences` requests in flight; the
//    setting with the most documents/s under p99 < `--p99-target-ms` is chosen.
// The model, adapter, prompt, decoding and confidence are the sidecar's defaults (the shipped
// adapter, grounded decoding) unless INFERENCE_* variables say otherwise; INFERENCE_GPU decides
// the backend (default off here; run-bench.sh sets cuda). Every window shrinks, and phases are
// skipped, so that the whole run ends by the deadline; the report is rewritten after every step
// (gpu-bench.json, gpu-bench.md in --out), so a run cut short still leaves one.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, hostname, tmpdir, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs, promisify } from "node:util";
import * as grpc from "@grpc/grpc-js";
import { InferenceService, kindToProto } from "@liability/contracts";
import { scoreRecord, type LabelledDocument } from "@liability/domain";
import { ConfigError, createServiceClient } from "@liability/platform";
import { loadInferenceConfig, type InferenceConfig } from "../src/config.ts";
import { loadDocuments, ownCpu, percentile, processCpu, waitServing, type CpuClock } from "./common.ts";
import { chooseSetting, overheadRows, renderMarkdown, summarise, type GpuBenchReport, type LevelResult, type Sample, type SweepResult } from "./gpu-report.ts";
import { GpuSampler, gpuInfo, processGpuMemoryMiB } from "./gpu-sampler.ts";

const MAIN = fileURLToPath(new URL("../src/main.ts", import.meta.url));
const REPO = fileURLToPath(new URL("../../../", import.meta.url));
const PHASES = ["grpc", "inprocess", "sweep"] as const;

function usageError(message: string): never {
  console.error(`gpu-bench: ${message}`);
  process.exit(2);
}

const OPTIONS = {
  file: { type: "string" },
  levels: { type: "string", default: "1,8,32,128,256" },
  sequences: { type: "string" },
  context: { type: "string" },
  "window-s": { type: "string", default: "12" },
  "max-requests": { type: "string", default: "1000000" },
  "sweep-sequences": { type: "string", default: "32,64,128,256" },
  "sweep-contexts": { type: "string", default: "2048,4096" },
  "sweep-window-s": { type: "string", default: "10" },
  phases: { type: "string", default: PHASES.join(",") },
  "deadline-s": { type: "string", default: "480" },
  "deadline-at": { type: "string" },
  "p99-target-ms": { type: "string", default: "200" },
  threads: { type: "string" },
  "batch-size": { type: "string" },
  out: { type: "string", default: join(REPO, ".cache/gpu-bench") },
  /** --no-warm: skip the unmeasured request per sequence before each run (quick CPU checks). */
  warm: { type: "boolean", default: true },
} as const;
const args = (() => {
  try {
    return parseArgs({ options: OPTIONS, allowNegative: true });
  } catch (error) {
    usageError((error as Error).message);
  }
})();
const values = args.values;

const intList = (name: string, s: string): number[] => {
  const xs = s.split(",").map((x) => Number(x.trim()));
  if (xs.length === 0 || xs.some((x) => !Number.isInteger(x) || x < 1)) usageError(`--${name}: comma-separated positive whole numbers, got '${s}'`);
  return xs;
};
const positive = (name: string, s: string): number => {
  const x = Number(s);
  if (!Number.isFinite(x) || x <= 0) usageError(`--${name}: a positive number, got '${s}'`);
  return x;
};

const levels = intList("levels", values.levels);
const sweepSequences = intList("sweep-sequences", values["sweep-sequences"]);
const sweepContexts = intList("sweep-contexts", values["sweep-contexts"]);
const phases = values.phases.split(",").map((p) => p.trim());
for (const p of phases) if (!(PHASES as readonly string[]).includes(p)) usageError(`--phases: ${PHASES.join(", ")}; got '${p}'`);
const windowMs = positive("window-s", values["window-s"]) * 1000;
const sweepWindowMs = positive("sweep-window-s", values["sweep-window-s"]) * 1000;
const maxRequests = Math.floor(positive("max-requests", values["max-requests"]));
const p99TargetMs = positive("p99-target-ms", values["p99-target-ms"]);
const startedAt = Date.now();
const deadline = values["deadline-at"]
  ? positive("deadline-at", values["deadline-at"]) * 1000
  : startedAt + positive("deadline-s", values["deadline-s"]) * 1000;
if (deadline <= startedAt + 5000) usageError("the deadline leaves less than 5 s");
const file = values.file ?? resolve(REPO, ".cache/gpu-run/documents.jsonl");
let docs: LabelledDocument[];
try {
  docs = loadDocuments(file);
} catch (error) {
  usageError(`--file: ${(error as Error).message}`);
}

const baseEnv: Record<string, string | undefined> = {
  ...process.env,
  INFERENCE_GPU: process.env.INFERENCE_GPU ?? "off",
  // The bench measures batching and queueing, not shedding.
  INFERENCE_MAX_QUEUE: "10000",
  LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
  ...(values.threads !== undefined ? { INFERENCE_THREADS: values.threads } : {}),
  ...(values["batch-size"] !== undefined ? { INFERENCE_BATCH_SIZE: values["batch-size"] } : {}),
};
const mainSequences = values.sequences ? intList("sequences", values.sequences)[0]! : Math.max(...levels);
function settings(sequences: number, contextSize?: number): Record<string, string | undefined> {
  return {
    ...baseEnv,
    INFERENCE_SEQUENCES: String(sequences),
    ...(contextSize !== undefined ? { INFERENCE_CONTEXT_SIZE: String(contextSize) } : values.context ? { INFERENCE_CONTEXT_SIZE: values.context } : {}),
  };
}
function configOf(env: Record<string, string | undefined>): InferenceConfig {
  try {
    return loadInferenceConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) usageError(error.message);
    throw error;
  }
}
const mainConfig = configOf(settings(mainSequences));
for (const s of sweepSequences) for (const c of sweepContexts) configOf(settings(s, c));
const outDir = resolve(values.out);
mkdirSync(outDir, { recursive: true });

// --- report -------------------------------------------------------------------------------------
const texts = docs.map((d) => d.text.length).sort((a, b) => a - b);
const report: GpuBenchReport = {
  schema: "gpu-bench/1",
  startedAt: new Date(startedAt).toISOString(),
  finishedAt: null,
  complete: false,
  stoppedBy: null,
  command: `node services/inference/bench/gpu-bench.ts ${process.argv.slice(2).join(" ")}`.trim(),
  machine: {
    hostname: hostname(),
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? "?",
    memGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    gpu: (await gpuInfo()) ?? "n/a",
  },
  runtime: null,
  config: {
    gpu: mainConfig.INFERENCE_GPU,
    gpuLayers: mainConfig.INFERENCE_GPU_LAYERS,
    sequences: mainSequences,
    contextSize: mainConfig.INFERENCE_CONTEXT_SIZE,
    batchSize: mainConfig.INFERENCE_BATCH_SIZE ?? "node-llama-cpp default",
    threads: mainConfig.INFERENCE_THREADS,
    uvThreadpoolSize: process.env.UV_THREADPOOL_SIZE ?? "4 (libuv default)",
    decoding: mainConfig.INFERENCE_DECODING,
    confidence: mainConfig.INFERENCE_CONFIDENCE,
    model: mainConfig.INFERENCE_MODEL_PATH.replace(REPO, ""),
    adapter: mainConfig.INFERENCE_LORA_PATH?.replace(REPO, "") ?? "none",
    prompt: mainConfig.INFERENCE_PROMPT_PATH.replace(REPO, ""),
    levels,
    windowS: windowMs / 1000,
    p99TargetMs,
    deadline: new Date(deadline).toISOString(),
    documents: {
      file: file.replace(REPO, ""),
      count: docs.length,
      statements: docs.filter((d) => d.kind === "statement").length,
      callTranscripts: docs.filter((d) => d.kind === "call_transcript").length,
      medianChars: percentile(texts, 50),
      p95Chars: percentile(texts, 95),
    },
  },
  model: null,
  grpc: [],
  inProcess: [],
  overhead: [],
  sweep: { p99TargetMs, windowS: sweepWindowMs / 1000, results: [], choice: null },
  gpuMemory: "n/a",
  skipped: [],
  notes: [
    "Closed loops: each of the N in-flight clients sends its next document as soon as the previous one is answered; documents cycle through the file in order, the same order for every level and mode.",
    values.warm
      ? "Before each run every sequence serves one unmeasured request, so each holds the evaluated system prompt as in a running sidecar."
      : "--no-warm: sequences were not warmed before measuring (first uses evaluate the whole prompt).",
  ],
};
function writeReport(): void {
  report.overhead = overheadRows(report.grpc, report.inProcess);
  report.sweep.choice = report.sweep.results.length ? chooseSetting(report.sweep.results, p99TargetMs) : null;
  writeFileSync(join(outDir, "gpu-bench.json"), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(outDir, "gpu-bench.md"), renderMarkdown(report));
}

// --- time budget --------------------------------------------------------------------------------
const RESERVE_MS = 5000;
const MIN_WINDOW_MS = 1000;
/** Measured as the run goes: what a sidecar start + warm-up and a level's drain cost beyond its window. */
const overheadMs = { start: 15_000, drain: 2000 };
interface Unit {
  name: string;
  windowMs: number;
  starts: number;
}
const units: Unit[] = [];
if (phases.includes("grpc")) units.push(...levels.map((c, i) => ({ name: `grpc/${c}`, windowMs, starts: i === 0 ? 1 : 0 })));
if (phases.includes("inprocess")) units.push(...levels.map((c, i) => ({ name: `inprocess/${c}`, windowMs, starts: i === 0 ? 1 : 0 })));
if (phases.includes("sweep"))
  for (const s of sweepSequences) for (const c of sweepContexts) units.push({ name: `sweep/${s}x${c}`, windowMs: sweepWindowMs, starts: 1 });

/** The window this unit may use, shrunk so that the remaining units fit the deadline; undefined: skip it. */
function takeUnit(name: string): number | undefined {
  const i = units.findIndex((u) => u.name === name);
  const rest = units.splice(i);
  const unit = rest[0]!;
  const remaining = deadline - Date.now() - RESERVE_MS;
  const fixed = rest.reduce((a, u) => a + u.starts * overheadMs.start + overheadMs.drain, 0);
  const wanted = rest.reduce((a, u) => a + u.windowMs, 0);
  const scale = Math.min(1, (remaining - fixed) / wanted);
  units.push(...rest.slice(1));
  const w = unit.windowMs * scale;
  if (w < MIN_WINDOW_MS || remaining < unit.starts * overheadMs.start + MIN_WINDOW_MS) {
    report.skipped.push({ unit: name, reason: `deadline: ${Math.max(0, Math.round(remaining / 1000))} s left for ${rest.length} steps` });
    return undefined;
  }
  return w;
}
function dropUnits(prefix: string, reason: string): void {
  for (let i = units.length - 1; i >= 0; i--) {
    if (units[i]!.name.startsWith(prefix)) {
      report.skipped.push({ unit: units[i]!.name, reason });
      units.splice(i, 1);
    }
  }
}

// --- load generation ------------------------------------------------------------------------------
type RunOne = (doc: LabelledDocument) => Promise<Sample>;

function errorKind(error: unknown): string {
  const e = error as { code?: number; name?: string; message?: string };
  if (typeof e.code === "number" && grpc.status[e.code]) return grpc.status[e.code]!;
  return e.name ?? "Error";
}

/** `concurrency` clients, each sending its next document as soon as it has an answer, for `ms`. */
async function closedLoop(concurrency: number, ms: number, runOne: RunOne, cpu: CpuClock, sampler: GpuSampler | undefined): Promise<LevelResult> {
  const samples: Sample[] = [];
  const errors: string[] = [];
  let issued = 0;
  const cpu0 = cpu();
  const t0 = Date.now();
  const started = performance.now();
  const stopAt = started + ms;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (issued < maxRequests && performance.now() < stopAt && Date.now() < deadline) {
        const doc = docs[issued++ % docs.length]!;
        try {
          samples.push(await runOne(doc));
        } catch (error) {
          errors.push(errorKind(error));
        }
      }
    }),
  );
  const wallMs = performance.now() - started;
  overheadMs.drain = Math.max(500, wallMs - ms);
  return summarise(samples, { concurrency, wallMs, cpuSeconds: cpu() - cpu0, errors, gpu: sampler?.window(t0, Date.now()) ?? null });
}

/** One unmeasured request per sequence, all at once. */
async function warmSequences(n: number, runOne: RunOne): Promise<void> {
  if (!values.warm) return;
  await Promise.all(Array.from({ length: n }, (_, i) => runOne(docs[i % docs.length]!).catch(() => undefined)));
}

function scoreOf(doc: LabelledDocument, raw: string) {
  if (!doc.expected) return undefined;
  try {
    return scoreRecord(doc.expected, JSON.parse(raw));
  } catch {
    return undefined;
  }
}

// --- the sidecar as a child process ---------------------------------------------------------------
const children = new Set<ChildProcess>();

interface SidecarChild {
  address: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

async function startSidecarChild(env: Record<string, string | undefined>): Promise<SidecarChild> {
  const dir = mkdtempSync(join(tmpdir(), "gpu-bench-"));
  const address = `unix:${join(dir, "sidecar.sock")}`;
  const child = spawn(process.execPath, [MAIN], { env: { ...env, INFERENCE_LISTEN_ADDRESS: address }, stdio: ["ignore", "inherit", "inherit"] });
  children.add(child);
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  const gone = exited.then((code) => Promise.reject<never>(new Error(`the sidecar exited during start-up (exit code ${code}); its stderr is above`)));
  gone.catch(() => {});
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await exited;
      clearTimeout(timer);
    }
    children.delete(child);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitServing(address, Math.max(1000, deadline - Date.now() - RESERVE_MS), gone);
  } catch (error) {
    await stop();
    throw error;
  }
  return { address, child, stop };
}

function grpcRunner(address: string): { runOne: RunOne; close(): void } {
  const client = createServiceClient(InferenceService, address, grpc.credentials.createInsecure());
  const runOne: RunOne = async (doc) => {
    const started = performance.now();
    const r = await client.extract({ documentId: doc.id, kind: kindToProto(doc.kind), text: doc.text }, { deadline: new Date(deadline) });
    const latencyMs = performance.now() - started;
    if (report.model === null && r.model) report.model = { modelId: r.model.modelId, modelVersion: r.model.modelVersion, promptVersion: r.model.promptVersion };
    return {
      latencyMs,
      serverTotalMs: r.timings?.totalMs ?? 0,
      queueMs: r.timings?.queueMs ?? 0,
      promptMs: r.timings?.promptMs ?? 0,
      generationMs: r.timings?.generationMs ?? 0,
      promptTokens: r.usage?.promptTokens ?? 0,
      cachedPromptTokens: undefined,
      completionTokens: r.usage?.completionTokens ?? 0,
      sampledTokens: undefined,
      truncated: r.truncated,
      score: scoreOf(doc, r.rawOutput),
    };
  };
  return { runOne, close: () => client.channel.close() };
}

const gpuMemory: Record<string, unknown> = {};
function noteGpuMemory(key: string, value: number | undefined, sampler: GpuSampler | undefined, from: number): void {
  if (sampler === undefined) return;
  gpuMemory[key] = value ?? "not attributed by nvidia-smi";
  const w = sampler.window(from, Date.now());
  if (w) gpuMemory[`${key.replace(/MiB$/, "")}DeviceUsedMaxMiB`] = w.memUsedMaxMiB;
  gpuMemory.deviceTotalMiB = w?.memTotalMiB ?? gpuMemory.deviceTotalMiB;
  report.gpuMemory = gpuMemory;
}

// --- phases -----------------------------------------------------------------------------------------
const CHECK_LOAD = fileURLToPath(new URL("../gpu/check-load.ts", import.meta.url));

/** Which llama.cpp binary the sidecar will run on (in a child process: this one loads the engine later). */
async function probeRuntime(): Promise<Record<string, unknown>> {
  const gpu = mainConfig.INFERENCE_GPU === "off" ? "false" : mainConfig.INFERENCE_GPU;
  if (gpu !== "false" && gpu !== "cuda") return { note: `INFERENCE_GPU=${gpu}: not probed` };
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [CHECK_LOAD, "--modules", join(REPO, "node_modules"), "--gpu", gpu, "--any-build"], {
      timeout: 120_000,
    });
    return JSON.parse(stdout.slice(stdout.indexOf("{"))) as Record<string, unknown>;
  } catch (error) {
    return { error: (error as Error).message.split("\n").slice(0, 4).join(" ") };
  }
}

async function phaseGrpc(sampler: GpuSampler | undefined): Promise<void> {
  const first = takeUnit(`grpc/${levels[0]}`);
  if (first === undefined) return dropUnits("grpc/", "deadline");
  const t0 = Date.now();
  const t = performance.now();
  const sidecar = await startSidecarChild(settings(mainSequences));
  const { runOne, close } = grpcRunner(sidecar.address);
  try {
    await warmSequences(mainSequences, runOne);
    overheadMs.start = performance.now() - t;
    const cpu = processCpu(sidecar.child.pid!);
    for (const [i, c] of levels.entries()) {
      const w = i === 0 ? first : takeUnit(`grpc/${c}`);
      if (w === undefined) continue;
      const r = await closedLoop(c, w, runOne, cpu, sampler);
      report.grpc.push(r);
      console.log(
        `grpc        ${String(c).padStart(4)} in flight: ${r.docsPerS} docs/s, p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms (${r.requests} requests, ${r.errors} errors)`,
      );
      writeReport();
    }
    noteGpuMemory("grpcSidecarMiB", await processGpuMemoryMiB(sidecar.child.pid!), sampler, t0);
  } finally {
    close();
    await sidecar.stop();
  }
}

async function phaseInProcess(sampler: GpuSampler | undefined): Promise<void> {
  const first = takeUnit(`inprocess/${levels[0]}`);
  if (first === undefined) return dropUnits("inprocess/", "deadline");
  const t0 = Date.now();
  // Loaded here, not at start-up: argument errors answer without loading llama.cpp.
  const [{ LlamaEngine }, { engineOptions }] = await Promise.all([import("../src/engine.ts"), import("../src/sidecar.ts")]);
  const engine = await LlamaEngine.load(engineOptions(configOf(settings(mainSequences))));
  try {
    await engine.warmUp();
    const runOne: RunOne = async (doc) => {
      const started = performance.now();
      const out = await engine.extract(
        { documentId: doc.id, kind: doc.kind, text: doc.text },
        { signal: AbortSignal.timeout(Math.max(1, deadline - Date.now())) },
      );
      return {
        latencyMs: performance.now() - started,
        serverTotalMs: out.timings.totalMs,
        queueMs: out.timings.queueMs,
        promptMs: out.timings.promptMs,
        generationMs: out.timings.generationMs,
        promptTokens: out.promptTokens,
        cachedPromptTokens: out.cachedPromptTokens,
        completionTokens: out.completionTokens,
        sampledTokens: out.sampledTokens,
        truncated: out.truncated,
        score: scoreOf(doc, out.rawOutput),
      };
    };
    await warmSequences(mainSequences, runOne);
    for (const [i, c] of levels.entries()) {
      const w = i === 0 ? first : takeUnit(`inprocess/${c}`);
      if (w === undefined) continue;
      const r = await closedLoop(c, w, runOne, ownCpu, sampler);
      report.inProcess.push(r);
      console.log(
        `in-process  ${String(c).padStart(4)} in flight: ${r.docsPerS} docs/s, p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms (${r.requests} requests, ${r.errors} errors)`,
      );
      writeReport();
    }
    noteGpuMemory("inProcessMiB", await processGpuMemoryMiB(process.pid), sampler, t0);
  } finally {
    await engine.close();
  }
}

async function phaseSweep(sampler: GpuSampler | undefined): Promise<void> {
  for (const s of sweepSequences) {
    for (const c of sweepContexts) {
      const w = takeUnit(`sweep/${s}x${c}`);
      if (w === undefined) continue;
      const t = performance.now();
      let sidecar: SidecarChild;
      try {
        sidecar = await startSidecarChild(settings(s, c));
      } catch (error) {
        const failed = summarise([], { concurrency: s, wallMs: 1, cpuSeconds: 0, errors: [], gpu: null });
        report.sweep.results.push({ ...failed, sequences: s, contextSize: c, failed: (error as Error).message });
        console.log(`sweep ${s} sequences × ${c}: failed to start: ${(error as Error).message}`);
        writeReport();
        continue;
      }
      const { runOne, close } = grpcRunner(sidecar.address);
      try {
        await warmSequences(s, runOne);
        overheadMs.start = performance.now() - t;
        const r = await closedLoop(s, w, runOne, processCpu(sidecar.child.pid!), sampler);
        const result: SweepResult = { ...r, sequences: s, contextSize: c };
        report.sweep.results.push(result);
        console.log(
          `sweep ${String(s).padStart(3)} sequences × ${String(c).padStart(5)}: ${r.docsPerS} docs/s, p99 ${r.latencyMs.p99} ms, truncated ${r.truncated}`,
        );
        writeReport();
      } finally {
        close();
        await sidecar.stop();
      }
    }
  }
}

let finishing = false;
async function finish(stoppedBy: string | null, exitCode: number): Promise<never> {
  if (!finishing) {
    finishing = true;
    for (const c of children) c.kill("SIGTERM");
    report.stoppedBy = stoppedBy;
    report.complete = stoppedBy === null && report.skipped.length === 0;
    report.finishedAt = new Date().toISOString();
    writeReport();
    console.log(`report: ${join(outDir, "gpu-bench.md")}`);
  }
  process.exit(exitCode);
}
for (const sig of ["SIGINT", "SIGTERM"] as const) process.once(sig, () => void finish(`signal ${sig}`, 130));
// Past the deadline (and its reserve), whatever is still running is abandoned.
setTimeout(() => void finish("deadline", 0), Math.max(0, deadline - Date.now())).unref();

console.log(
  `gpu-bench: ${docs.length} documents, levels ${levels.join(",")}, ${mainSequences} sequences, context ${mainConfig.INFERENCE_CONTEXT_SIZE}, gpu ${mainConfig.INFERENCE_GPU}, deadline in ${Math.round((deadline - Date.now()) / 1000)} s`,
);
report.runtime = await probeRuntime();
console.log(`runtime: ${JSON.stringify(report.runtime)}`);
writeReport();
const sampler = await GpuSampler.start();
try {
  const phase = async (name: string, run: (s: GpuSampler | undefined) => Promise<void>) => {
    try {
      await run(sampler);
    } catch (error) {
      console.error(`gpu-bench: ${name} failed: ${(error as Error).message}`);
      report.skipped.push({ unit: name, reason: `failed: ${(error as Error).message}` });
      dropUnits(`${name}/`, `${name} failed`);
      writeReport();
    }
  };
  if (phases.includes("grpc")) await phase("grpc", phaseGrpc);
  if (phases.includes("inprocess")) await phase("inprocess", phaseInProcess);
  if (phases.includes("sweep")) await phase("sweep", phaseSweep);
} finally {
  sampler?.stop();
}
await finish(null, 0);
