/**
 * Greedy generation with llama.cpp (node-llama-cpp) the way the sidecar runs the model: the base
 * GGUF, optionally a LoRA adapter GGUF on top, prompt tokens from the sidecar's PromptBuilder and,
 * with --grammar, the sidecar's record grammar. Used by the parity check and the pipeline test.
 *
 * Input: JSON Lines on stdin {"key", "kind", "text"}. Output: JSON Lines {"key", "tokens": number[]
 * (generated, the end-of-generation token included when reached), "text", "ms"}.
 * Environment: the sidecar's INFERENCE_MODEL_PATH, INFERENCE_LORA_PATH, INFERENCE_LORA_SCALE,
 * INFERENCE_CONTEXT_SIZE, INFERENCE_PROMPT_PATH. Arguments: [--grammar] [--max-tokens N] [--threads N].
 */
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { getLlama, LlamaGrammarEvaluationState, LlamaLogLevel, type Token } from "node-llama-cpp";
import { loadInferenceConfig } from "../../services/inference/src/config.ts";
import { MAX_COMPLETION_TOKENS, recordGrammar } from "../../services/inference/src/grammar.ts";
import { loadPromptArtifact, PromptBuilder } from "../../services/inference/src/prompt.ts";

const { values: args } = parseArgs({
  options: {
    grammar: { type: "boolean", default: false },
    "max-tokens": { type: "string", default: "256" },
    threads: { type: "string", default: "2" },
  },
});
const config = loadInferenceConfig(process.env);
const llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.warn });
const model = await llama.loadModel({ modelPath: config.INFERENCE_MODEL_PATH });
const context = await model.createContext({
  contextSize: config.INFERENCE_CONTEXT_SIZE,
  sequences: 1,
  threads: Number(args.threads),
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
const grammar = args.grammar ? await llama.createGrammar({ grammar: recordGrammar() }) : undefined;
const maxTokens = Number(args["max-tokens"]);
process.stderr.write(`generate: lora ${config.INFERENCE_LORA_PATH ?? "(none)"}, grammar ${args.grammar}\n`);

for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
  if (line.trim() === "") continue;
  const doc = JSON.parse(line) as { key: string; kind: "statement" | "call_transcript"; text: string };
  const prompt = builder.build(doc.kind, doc.text);
  await sequence.clearHistory();
  const started = performance.now();
  const out: Token[] = [];
  const grammarEvaluationState = grammar ? new LlamaGrammarEvaluationState({ model, grammar }) : undefined;
  for await (const token of sequence.evaluate(prompt.tokens, { temperature: 0, grammarEvaluationState })) {
    out.push(token);
    if (model.isEogToken(token) || out.length >= maxTokens) break;
  }
  const text = model.detokenize(out.filter((t) => !model.isEogToken(t)), false);
  process.stdout.write(JSON.stringify({ key: doc.key, tokens: out, text, ms: Math.round(performance.now() - started) }) + "\n");
}
await context.dispose();
await model.dispose();
await llama.dispose();
