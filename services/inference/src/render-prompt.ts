// render-prompt: prints the exact prompt the sidecar evaluates for a document, so the training
// side builds its examples from this one definition instead of re-implementing it.
//
//   node services/inference/src/render-prompt.ts --input docs.jsonl [--output out.jsonl]
//   node services/inference/src/render-prompt.ts --kind statement --text-file doc.txt --format text
//
// Input: JSON Lines in the spec's format ({"id", "kind", "text", "expected"?}); "-" is stdin.
// Output (jsonl, one line per document):
//   id, prompt_version, context_size, truncated,
//   prompt            the prompt text, special tokens written out (e.g. "<|im_start|>")
//   prompt_token_ids  the exact token ids the sidecar evaluates (use these: the document is
//                     tokenized as plain text even if it contains special-token strings)
//   completion        canonicalRecordJson(expected), when "expected" is present
//   completion_token_ids  the completion tokenized as plain text, then the end-of-generation token
//   eos               the end-of-generation token's text
// The model, prompt artifact and context size come from the same variables as the sidecar
// (INFERENCE_MODEL_PATH, INFERENCE_PROMPT_PATH, INFERENCE_CONTEXT_SIZE); flags override them.
import { createReadStream, createWriteStream, readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { canonicalRecordJson, labelledDocumentSchema, type DocumentKind } from "@liability/domain";
import { ConfigError } from "@liability/platform";
import { getLlama, LlamaLogLevel } from "node-llama-cpp";
import { loadInferenceConfig, type InferenceConfig } from "./config.ts";
import { MAX_COMPLETION_TOKENS } from "./grammar.ts";
import { checkModelFile } from "./model-files.ts";
import { loadPromptArtifact, PromptBuilder } from "./prompt.ts";

const usage = `usage: render-prompt (--input FILE.jsonl | --kind statement|call_transcript --text-file FILE)
                     [--format jsonl|text] [--output FILE] [--model FILE.gguf] [--prompt FILE.json] [--context-size N]`;

// A closed pipe (render-prompt ... | head) is a normal way to stop reading.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(0);
  throw error;
});

function die(message: string): never {
  process.stderr.write(`render-prompt: ${message}\n`);
  process.exit(2);
}

const { values } = parseArgs({
  options: {
    input: { type: "string" },
    kind: { type: "string" },
    "text-file": { type: "string" },
    format: { type: "string", default: "jsonl" },
    output: { type: "string" },
    model: { type: "string" },
    prompt: { type: "string" },
    "context-size": { type: "string" },
    help: { type: "boolean" },
  },
});
if (values.help) {
  process.stdout.write(`${usage}\n`);
  process.exit(0);
}
if ((values.input === undefined) === (values["text-file"] === undefined)) die(`give --input or --text-file\n${usage}`);
if (values.format !== "jsonl" && values.format !== "text") die("--format is jsonl or text");

let config: InferenceConfig;
try {
  config = loadInferenceConfig({
    ...process.env,
    ...(values.model ? { INFERENCE_MODEL_PATH: values.model } : {}),
    ...(values.prompt ? { INFERENCE_PROMPT_PATH: values.prompt } : {}),
    ...(values["context-size"] ? { INFERENCE_CONTEXT_SIZE: values["context-size"] } : {}),
  });
} catch (error) {
  die(error instanceof ConfigError ? error.message : String(error));
}

await checkModelFile(config.INFERENCE_MODEL_PATH, "INFERENCE_MODEL_PATH").catch((e: Error) => die(e.message));
const artifact = await loadPromptArtifact(config.INFERENCE_PROMPT_PATH).catch((e: Error) => die(e.message));
const llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error });
// The vocabulary and chat template are all a prompt needs; the weights are not loaded.
const model = await llama.loadModel({ modelPath: config.INFERENCE_MODEL_PATH, vocabOnly: true });
const builder = new PromptBuilder({
  model,
  artifact,
  contextSize: config.INFERENCE_CONTEXT_SIZE,
  maxCompletionTokens: MAX_COMPLETION_TOKENS,
});
const eos = model.tokens.eos;
const out = values.output ? createWriteStream(values.output) : process.stdout;

function render(id: string, kind: DocumentKind, text: string, expected: unknown): void {
  const prompt = builder.build(kind, text);
  if (values.format === "text") {
    out.write(prompt.text);
    return;
  }
  const line: Record<string, unknown> = {
    id,
    prompt_version: artifact.version,
    context_size: config.INFERENCE_CONTEXT_SIZE,
    truncated: prompt.truncated,
    prompt: prompt.text,
    prompt_token_ids: prompt.tokens,
  };
  if (expected !== undefined) {
    const completion = canonicalRecordJson(expected as Parameters<typeof canonicalRecordJson>[0]);
    line.completion = completion;
    line.completion_token_ids = [...model.tokenize(completion, false), ...(eos === null ? [] : [eos])];
  }
  line.eos = model.tokens.eosString ?? null;
  out.write(`${JSON.stringify(line)}\n`);
}

if (values["text-file"] !== undefined) {
  const kind = values.kind;
  if (kind !== "statement" && kind !== "call_transcript") die("--kind is statement or call_transcript");
  render("document", kind, readFileSync(values["text-file"], "utf8"), undefined);
} else {
  const input = values.input === "-" ? process.stdin : createReadStream(values.input!);
  let lineNumber = 0;
  for await (const raw of createInterface({ input, crlfDelay: Infinity })) {
    lineNumber++;
    if (raw.trim().length === 0) continue;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      die(`line ${lineNumber}: not JSON`);
    }
    const parsed = labelledDocumentSchema.safeParse(json);
    if (!parsed.success) die(`line ${lineNumber}: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
    render(parsed.data.id, parsed.data.kind, parsed.data.text, parsed.data.expected);
    if (values.format === "text") break;
  }
}
if (out !== process.stdout) await new Promise<void>((resolve) => out.end(() => resolve()));
await model.dispose();
await llama.dispose();
