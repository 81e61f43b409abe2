import { readFile } from "node:fs/promises";
import type { DocumentKind } from "@liability/domain";
import { JinjaTemplateChatWrapper, type LlamaModel, type LlamaText, type Token } from "node-llama-cpp";
import { z } from "zod";
import { renderCandidateList } from "./candidate-list.ts";
import { StartupError } from "./model-files.ts";

/** The versioned prompt artifact (services/inference/prompts/*.json). */
export const promptArtifactSchema = z.object({
  version: z.string().min(1),
  system: z.string().min(1),
  user: z
    .string()
    .refine((s) => s.includes("{text}"), "the user template must contain {text}")
    .refine((s) => s.includes("{kind}"), "the user template must contain {kind}"),
});

export type PromptArtifact = z.infer<typeof promptArtifactSchema>;

export async function loadPromptArtifact(path: string, variable = "INFERENCE_PROMPT_PATH"): Promise<PromptArtifact> {
  let raw: string;
  try {
    raw = await readFile(path, "utf8");
  } catch (error) {
    throw new StartupError(`${variable}: cannot read prompt artifact ${path}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new StartupError(`${variable}: ${path} is not valid JSON`);
  }
  const parsed = promptArtifactSchema.safeParse(json);
  if (!parsed.success) {
    throw new StartupError(
      `${variable}: ${path} is not a prompt artifact: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")}`,
    );
  }
  return parsed.data;
}

/**
 * The user message: the artifact's template with {kind}, {text} and, where the template asks
 * for it, {candidates} (the document's values with their labels, see candidate-list.ts)
 * substituted in one pass, so braces inside the document are never treated as placeholders.
 */
export function renderUserMessage(artifact: PromptArtifact, kind: DocumentKind, text: string): string {
  const candidates = artifact.user.includes("{candidates}") ? renderCandidateList(text) : "";
  return artifact.user.replace(/\{(kind|text|candidates)\}/g, (_match, name: string) => (name === "kind" ? kind : name === "text" ? text : candidates));
}

export interface BuiltPrompt {
  /** Exactly the tokens evaluated before generation starts. */
  tokens: Token[];
  /** The same prompt as text (special tokens written out, e.g. "<|im_start|>"). */
  text: string;
  /** True when the document was cut to fit the context (see PromptBuilder). */
  truncated: boolean;
  /** Characters of the document that made it into the prompt. */
  documentChars: number;
}

/**
 * Builds prompts from the model's own chat template (the GGUF's tokenizer.chat_template,
 * rendered by node-llama-cpp's Jinja wrapper) with a system message and one user message,
 * ending with the template's generation prompt (for ChatML: "<|im_start|>assistant\n").
 * The completion that follows is the record as compact JSON (see grammar.ts), then the
 * end-of-generation token.
 *
 * Template text is tokenized with special tokens; message contents are tokenized as plain
 * text, so a document that contains "<|im_end|>" cannot close its own message.
 *
 * Truncation rule: a prompt may use the per-sequence context minus the longest possible
 * completion (MAX_COMPLETION_TOKENS). A longer document keeps its beginning (whole tokens,
 * cut on a character boundary) up to that budget and the result says truncated=true.
 * (Documents over INFERENCE_MAX_DOCUMENT_CHARS never get here: they are rejected.)
 */
export class PromptBuilder {
  readonly artifact: PromptArtifact;
  readonly promptBudget: number;
  readonly #model: LlamaModel;
  readonly #chat: JinjaTemplateChatWrapper;

  constructor(options: { model: LlamaModel; artifact: PromptArtifact; contextSize: number; maxCompletionTokens: number }) {
    this.#model = options.model;
    this.artifact = options.artifact;
    this.promptBudget = options.contextSize - options.maxCompletionTokens;
    const template = options.model.fileInfo.metadata.tokenizer?.chat_template;
    if (typeof template !== "string" || template.length === 0) {
      throw new StartupError(`the model file ${options.model.filename ?? ""} has no chat template (tokenizer.chat_template); the prompt is built from it`);
    }
    // reasoning: false asks templates that support thinking (enable_thinking) for a direct answer.
    this.#chat = new JinjaTemplateChatWrapper({ template, tokenizer: options.model.tokenizer, reasoning: false });
    const overhead = this.#render("call_transcript", "").tokenize(this.#model.tokenizer).length;
    if (overhead >= this.promptBudget) {
      throw new StartupError(
        `INFERENCE_CONTEXT_SIZE: ${options.contextSize} tokens leave no room for a document (the prompt without a document is ${overhead} tokens, the completion may need ${options.maxCompletionTokens})`,
      );
    }
  }

  #render(kind: DocumentKind, text: string): LlamaText {
    const { contextText } = this.#chat.generateContextState({
      chatHistory: [
        { type: "system", text: this.artifact.system },
        { type: "user", text: renderUserMessage(this.artifact, kind, text) },
        { type: "model", response: [] },
      ],
    });
    return contextText;
  }

  build(kind: DocumentKind, text: string): BuiltPrompt {
    const tokenizer = this.#model.tokenizer;
    let rendered = this.#render(kind, text);
    let tokens = rendered.tokenize(tokenizer);
    if (tokens.length <= this.promptBudget) {
      return { tokens, text: rendered.toString(), truncated: false, documentChars: text.length };
    }

    const documentTokens = this.#model.tokenize(text, false);
    let keep = Math.max(0, documentTokens.length - (tokens.length - this.promptBudget));
    let kept = text;
    // Tokens at the cut may merge differently inside the template, so re-render and shrink
    // until the whole prompt fits; this converges in one or two rounds.
    for (;;) {
      kept = this.#model.detokenize(documentTokens.slice(0, keep), false).replace(/\uFFFD+$/, "");
      rendered = this.#render(kind, kept);
      tokens = rendered.tokenize(tokenizer);
      if (tokens.length <= this.promptBudget || keep === 0) break;
      keep = Math.max(0, keep - Math.max(1, tokens.length - this.promptBudget));
    }
    return { tokens, text: rendered.toString(), truncated: true, documentChars: kept.length };
  }
}
