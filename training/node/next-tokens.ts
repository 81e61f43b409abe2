/**
 * Teacher-forced next-token predictions from llama.cpp (node-llama-cpp), for the exporter's
 * parity test (training/tests/test_pipeline.py): the given token sequence is evaluated as it is
 * (no sampling, no grammar, no prompt building), and for every position the runtime's top
 * next tokens are reported with their log-probabilities. Python computes the same with PyTorch,
 * so the two can be compared position by position, without one early near-tie flipping the rest
 * of a greedy generation.
 *
 * Model: INFERENCE_MODEL_PATH, plus the adapter INFERENCE_LORA_PATH (scale INFERENCE_LORA_SCALE)
 * unless it is "none", as for the sidecar.
 * Input: JSON Lines on stdin, {"key", "tokens": [int, ...], "score"?: [int, ...]}; "score", one
 * token per position (e.g. the reference's top choice), asks for that token's log-probability too.
 * Arguments: [--top K] [--threads N].
 * Output per row: {"key", "top": [[[token, logprob], ...K pairs, best first] per position],
 * "scored": [logprob of score[i] per position] (with "score")}; position i is the prediction
 * after tokens[0..i].
 */
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { loadInferenceConfig } from "@liability/inference";
import { getLlama, LlamaLogLevel, type Token } from "node-llama-cpp";

const { values: args } = parseArgs({
  options: {
    top: { type: "string", default: "5" },
    threads: { type: "string", default: "2" },
  },
});
const config = loadInferenceConfig({
  ...process.env,
  INFERENCE_SEQUENCES: "1",
  INFERENCE_THREADS: args.threads,
  INFERENCE_GPU: "off",
  INFERENCE_CONFIDENCE: "false",
});
type Row = { key: string; tokens: number[]; score?: number[] };
const rows: Row[] = [];
for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
  if (line.trim() !== "") rows.push(JSON.parse(line) as Row);
}
const top = Number(args.top);
const longest = Math.max(0, ...rows.map((r) => r.tokens.length));

const llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.warn });
const model = await llama.loadModel({ modelPath: config.INFERENCE_MODEL_PATH });
const context = await model.createContext({
  contextSize: Math.max(config.INFERENCE_CONTEXT_SIZE, longest + 16),
  sequences: 1,
  threads: config.INFERENCE_THREADS,
  ...(config.INFERENCE_LORA_PATH
    ? { lora: { adapters: [{ filePath: config.INFERENCE_LORA_PATH, scale: config.INFERENCE_LORA_SCALE }] } }
    : {}),
});
const sequence = context.getSequence();
for (const row of rows) {
  await sequence.clearHistory();
  if (row.score && row.score.length !== row.tokens.length) throw new Error(`${row.key}: score must have one token per position`);
  const out = await sequence.controlledEvaluate(
    row.tokens.map((t, i) => [
      t as Token,
      {
        generateNext: {
          logits: { filter: { includeTop: top, tokens: row.score ? [row.score[i] as Token] : [] } },
          totalLogitWeight: true,
        },
      },
    ]),
  );
  const positions: [number, number][][] = [];
  const scored: number[] = [];
  row.tokens.forEach((_, i) => {
    const next = out[i]?.next;
    if (next?.logits == null || next.totalLogitWeight == null) throw new Error(`no logits at position ${i} of ${row.key}`);
    // Sorted by logit, highest first: the top K come first, a scored token outside them after.
    const pairs = [...next.logits.entries()];
    const max = pairs[0]![1];
    // totalLogitWeight = sum(exp(logit - max)), so log p = logit - max - log(total).
    const logZ = max + Math.log(next.totalLogitWeight);
    positions.push(pairs.slice(0, top).map(([token, logit]) => [token, logit - logZ]));
    if (row.score) scored.push(next.logits.get(row.score[i] as Token)! - logZ);
  });
  process.stdout.write(JSON.stringify({ key: row.key, top: positions, ...(row.score ? { scored } : {}) }) + "\n");
}
await context.dispose();
await model.dispose();
await llama.dispose();
