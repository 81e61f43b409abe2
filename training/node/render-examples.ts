/**
 * Renders labelled documents into training examples with the sidecar's own prompt code.
 *
 * The prompt tokens come from services/inference's PromptBuilder (the GGUF's chat template,
 * the prompt artifact, the same truncation rule) and the target from @liability/domain's
 * canonicalRecordJson, so the training data is byte-for-byte what the sidecar evaluates and
 * what its grammar admits. There is no second copy of either in training/.
 *
 * Input: JSON Lines on stdin, one object per line: {"key": string, "kind": ..., "text": ..., "expected": {...}}.
 * Output: JSON Lines on stdout, same order: {"key", "ok": true, "prompt_tokens": number[],
 *   "prompt_text", "target_text", "target_tokens": number[] (ends with the end-of-generation token),
 *   "truncated": boolean} or {"key", "ok": false, "error": string} for a line that is not a valid record.
 *
 * Model, prompt artifact and context size are read from the sidecar's own configuration
 * (INFERENCE_MODEL_PATH, INFERENCE_PROMPT_PATH, INFERENCE_CONTEXT_SIZE; defaults as the sidecar's).
 */
import { createInterface } from "node:readline";
import { canonicalRecordJson, liabilityRecordSchema } from "@liability/domain";
import { getLlama, LlamaLogLevel } from "node-llama-cpp";
import { loadInferenceConfig } from "../../services/inference/src/config.ts";
import { MAX_COMPLETION_TOKENS } from "../../services/inference/src/grammar.ts";
import { loadPromptArtifact, PromptBuilder } from "../../services/inference/src/prompt.ts";

const config = loadInferenceConfig(process.env);
const llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.warn });
const model = await llama.loadModel({ modelPath: config.INFERENCE_MODEL_PATH, vocabOnly: true });
const artifact = await loadPromptArtifact(config.INFERENCE_PROMPT_PATH);
const builder = new PromptBuilder({
  model,
  artifact,
  contextSize: config.INFERENCE_CONTEXT_SIZE,
  maxCompletionTokens: MAX_COMPLETION_TOKENS,
});
const eos = model.tokens.eos;
if (eos == null) throw new Error("the model has no end-of-generation token");

process.stderr.write(
  `render-examples: model ${config.INFERENCE_MODEL_PATH}, prompt ${artifact.version}, context ${config.INFERENCE_CONTEXT_SIZE}\n`,
);

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  if (line.trim() === "") continue;
  const doc = JSON.parse(line) as { key: string; kind: unknown; text: unknown; expected: unknown };
  const out = (o: object) => process.stdout.write(JSON.stringify({ key: doc.key, ...o }) + "\n");
  if ((doc.kind !== "statement" && doc.kind !== "call_transcript") || typeof doc.text !== "string") {
    out({ ok: false, error: "kind must be statement or call_transcript and text a string" });
    continue;
  }
  const parsed = liabilityRecordSchema.safeParse(doc.expected);
  if (!parsed.success) {
    out({ ok: false, error: parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ") });
    continue;
  }
  const prompt = builder.build(doc.kind, doc.text);
  const target = canonicalRecordJson(parsed.data);
  out({
    ok: true,
    prompt_tokens: prompt.tokens,
    prompt_text: prompt.text,
    target_text: target,
    target_tokens: [...model.tokenize(target, false), eos],
    truncated: prompt.truncated,
  });
}
await model.dispose();
await llama.dispose();
