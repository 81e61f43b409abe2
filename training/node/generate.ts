/**
 * Greedy generation with the sidecar's runtime, for the parity check and the pipeline test.
 *
 * Default mode: the sidecar's own engine (LlamaEngine from @liability/inference: its prompt
 * builder, per-field grammars with injected key names, greedy decoding) on the base GGUF plus
 * the adapter GGUF, configured from the sidecar's environment variables (INFERENCE_MODEL_PATH,
 * INFERENCE_LORA_PATH, ...). Output per document: {"key", "text" (the raw output), "ms",
 * "prompt_tokens", "completion_tokens", "sampled_tokens"}.
 *
 * --raw: plain greedy decoding in llama.cpp with no grammar and no injected text, from the same
 * prompt tokens; output {"key", "tokens", "text", "ms"}. The exporter test uses it to compare
 * llama.cpp with PyTorch token by token on an adapter that makes the model say anything.
 *
 * Input: JSON Lines on stdin, {"key", "kind", "text"}. Arguments: [--raw] [--max-tokens N] [--threads N].
 */
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import {
  engineOptions,
  LlamaEngine,
  loadInferenceConfig,
  loadPromptArtifact,
  MAX_COMPLETION_TOKENS,
  PromptBuilder,
} from "@liability/inference";
import { getLlama, LlamaLogLevel, type Token } from "node-llama-cpp";

const { values: args } = parseArgs({
  options: {
    raw: { type: "boolean", default: false },
    "max-tokens": { type: "string", default: "256" },
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
type Doc = { key: string; kind: "statement" | "call_transcript"; text: string };
const write = (o: object) => process.stdout.write(JSON.stringify(o) + "\n");
const docs: Doc[] = [];
for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
  if (line.trim() !== "") docs.push(JSON.parse(line) as Doc);
}

if (!args.raw) {
  const engine = await LlamaEngine.load(engineOptions(config));
  for (const doc of docs) {
    const started = performance.now();
    const out = await engine.extract(
      { documentId: doc.key, kind: doc.kind, text: doc.text },
      { signal: new AbortController().signal },
    );
    write({
      key: doc.key,
      text: out.rawOutput,
      ms: Math.round(performance.now() - started),
      prompt_tokens: out.promptTokens,
      completion_tokens: out.completionTokens,
      sampled_tokens: out.sampledTokens,
    });
  }
  await engine.close();
} else {
  const llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.warn });
  const model = await llama.loadModel({ modelPath: config.INFERENCE_MODEL_PATH });
  const context = await model.createContext({
    contextSize: config.INFERENCE_CONTEXT_SIZE,
    sequences: 1,
    threads: config.INFERENCE_THREADS,
    ...(config.INFERENCE_LORA_PATH
      ? { lora: { adapters: [{ filePath: config.INFERENCE_LORA_PATH, scale: config.INFERENCE_LORA_SCALE }] } }
      : {}),
  });
  const sequence = context.getSequence();
  const builder = new PromptBuilder({
    model,
    artifact: await loadPromptArtifact(config.INFERENCE_PROMPT_PATH),
    contextSize: config.INFERENCE_CONTEXT_SIZE,
    maxCompletionTokens: MAX_COMPLETION_TOKENS,
  });
  const maxTokens = Number(args["max-tokens"]);
  for (const doc of docs) {
    const prompt = builder.build(doc.kind, doc.text);
    await sequence.clearHistory();
    const started = performance.now();
    const tokens: Token[] = [];
    for await (const token of sequence.evaluate(prompt.tokens, { temperature: 0 })) {
      tokens.push(token);
      if (model.isEogToken(token) || tokens.length >= maxTokens) break;
    }
    const text = model.detokenize(tokens.filter((t) => !model.isEogToken(t)), false);
    write({ key: doc.key, tokens, text, ms: Math.round(performance.now() - started) });
  }
  await context.dispose();
  await model.dispose();
  await llama.dispose();
}
