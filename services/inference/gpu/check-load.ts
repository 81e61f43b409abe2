// Checks that node-llama-cpp loads the local build that build-cuda.sh placed: getLlama with the
// options the sidecar's engine uses (build "never", so nothing is compiled or downloaded), on the
// requested backend, from a local build; optionally loads a model (+ adapter) and generates a few
// tokens on it.
//
//   node services/inference/gpu/check-load.ts --modules node_modules --gpu cuda|false
//       [--model FILE [--lora FILE]] [--json FILE] [--any-build] [--threads 1]
//
// Exits 1 with a one-line reason when the binary is not the local build (--any-build: any
// binary will do; the benchmark uses that to record what it runs on), not on that backend, or
// the model does not run.
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    modules: { type: "string", default: "node_modules" },
    gpu: { type: "string", default: "cuda" },
    model: { type: "string" },
    lora: { type: "string" },
    json: { type: "string" },
    "any-build": { type: "boolean", default: false },
    // llama.cpp's CPU threads spin; more than the machine has free makes a few tokens take minutes.
    threads: { type: "string", default: "1" },
  },
});
if (values.gpu !== "cuda" && values.gpu !== "false") {
  console.error("check-load: --gpu: cuda or false");
  process.exit(2);
}
const gpu = values.gpu === "cuda" ? "cuda" : false;

function fail(reason: string): never {
  console.error(`check-load: ${reason}`);
  process.exit(1);
}

const nlc = (await import(pathToFileURL(join(resolve(values.modules), "node-llama-cpp", "dist", "index.js")).href)) as typeof import("node-llama-cpp");
const started = performance.now();
let llama: import("node-llama-cpp").Llama;
try {
  llama = await nlc.getLlama({ gpu, build: "never", logLevel: nlc.LlamaLogLevel.error, progressLogs: false, maxThreads: Number(values.threads) });
} catch (error) {
  const hint = `${(error as Error).name} ${(error as Error).message}`.includes("NoBinaryFound")
    ? " (no local build in node-llama-cpp/llama/localBuilds, and no prebuilt binary: run build-cuda.sh build)"
    : "";
  fail(`getLlama({ gpu: ${JSON.stringify(gpu)}, build: "never" }) failed: ${(error as Error).message}${hint}`);
}
const report: Record<string, unknown> = {
  gpu: llama.gpu,
  buildType: llama.buildType,
  llamaCppRelease: llama.llamaCppRelease,
  loadMs: Math.round(performance.now() - started),
  deviceNames: llama.gpu === false ? [] : await llama.getGpuDeviceNames(),
  vram: llama.gpu === false ? null : await llama.getVramState(),
};
if (llama.gpu !== gpu) fail(`loaded a ${llama.gpu === false ? "CPU" : llama.gpu} binary, not ${gpu === false ? "CPU" : gpu}`);
if (llama.buildType !== "localBuild" && !values["any-build"]) fail(`loaded a ${llama.buildType} binary, not the local build`);

if (values.model !== undefined) {
  const t0 = performance.now();
  const model = await llama.loadModel({ modelPath: values.model, gpuLayers: gpu === false ? 0 : "max" });
  const context = await model.createContext({
    contextSize: 1024,
    threads: Number(values.threads),
    lora: values.lora ? { adapters: [{ filePath: values.lora, scale: 1 }] } : undefined,
  });
  const sequence = context.getSequence();
  const tokens = model.tokenize("Statement Date: 01/15/2026\nNew Balance $10.00\n");
  const out: number[] = [];
  for await (const token of sequence.evaluate(tokens, { temperature: 0 })) {
    out.push(token);
    if (out.length >= 4) break;
  }
  report.model = {
    gpuLayers: model.gpuLayers,
    trainContextSize: model.trainContextSize,
    tokens: out.length,
    ms: Math.round(performance.now() - t0),
  };
  await context.dispose();
  await model.dispose();
}
await llama.dispose();
const text = JSON.stringify(report);
if (values.json) writeFileSync(values.json, `${JSON.stringify(report, null, 2)}\n`);
console.log(`check-load: ok ${text}`);
