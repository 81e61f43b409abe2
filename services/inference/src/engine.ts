import { liabilityRecordSchema, type DocumentKind, type LiabilityRecord, type RecordField } from "@liability/domain";
import { getLlama, LlamaLogLevel, type Llama, type LlamaContext, type LlamaContextSequence, type LlamaModel } from "node-llama-cpp";
import { compileSteps, generateRecord, groundSteps, type CompiledStep } from "./generation.ts";
import { MAX_COMPLETION_TOKENS } from "./grammar.ts";
import { checkModelFile, fileStem, modelVersion, StartupError, type CheckedModelFile } from "./model-files.ts";
import { loadPromptArtifact, PromptBuilder } from "./prompt.ts";
import { abortError, RequestAbortedError, SlotScheduler } from "./scheduler.ts";

export interface EngineModelInfo {
  modelId: string;
  modelVersion: string;
  promptVersion: string;
}

export interface ExtractInput {
  documentId: string;
  kind: DocumentKind;
  text: string;
}

export interface ExtractTimings {
  queueMs: number;
  /** Building the document's candidate values and their grammars (grounded decoding). */
  groundingMs: number;
  /** Evaluating the prompt, up to the first generated token. */
  promptMs: number;
  /** From the first generated token to the last. */
  generationMs: number;
  totalMs: number;
}

export interface ExtractOutput {
  rawOutput: string;
  /** The output parsed and validated against the record schema; absent when it did not pass. */
  record: LiabilityRecord | undefined;
  /** Why `record` is absent (no document content in it). */
  recordError: string | undefined;
  model: EngineModelInfo;
  promptTokens: number;
  /** Prompt tokens whose evaluation was reused from the sequence's previous request. */
  cachedPromptTokens: number;
  /** All completion tokens (sampled and injected key names). */
  completionTokens: number;
  /** Completion tokens the model sampled. */
  sampledTokens: number;
  timings: ExtractTimings;
  confidence: { available: boolean; fields: Partial<Record<RecordField, number>>; note: string };
  truncated: boolean;
}

export interface EngineStats {
  sequences: number;
  activeSequences: number;
  queued: number;
  maxQueue: number;
}

/** What the gRPC layer needs from a model runtime; tests and the bench use it directly. */
export interface ExtractionEngine {
  readonly info: EngineModelInfo;
  extract(input: ExtractInput, options: { signal: AbortSignal }): Promise<ExtractOutput>;
  stats(): EngineStats;
  /** Called once per sampled token with the number of sequences generating at that moment. */
  onStep?: (activeSequences: number) => void;
  startDrain(): void;
  idle(): Promise<void>;
  close(): Promise<void>;
}

/** The request itself is unacceptable (INVALID_ARGUMENT). */
export class InvalidDocumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvalidDocumentError";
  }
}

export interface LlamaEngineOptions {
  modelPath: string;
  modelSha256?: string | undefined;
  modelId?: string | undefined;
  loraPath?: string | undefined;
  loraSha256?: string | undefined;
  loraScale?: number | undefined;
  promptPath: string;
  sequences: number;
  contextSize: number;
  batchSize?: number | undefined;
  threads: number;
  gpu: "auto" | "cuda" | "vulkan" | "metal" | "off";
  gpuLayers: "auto" | "max" | number;
  maxQueue: number;
  maxDocumentChars: number;
  confidence: boolean;
  /** grounded (default): per-request grammars admit only values the document states; open: any value. */
  decoding?: "grounded" | "guided" | "open" | undefined;
  /** llama.cpp's own log lines (warnings and errors); never document content. */
  onRuntimeLog?: ((level: "warn" | "error", message: string) => void) | undefined;
}

const WARMUP_TEXT = "EXAMPLE BANK\nCredit Card Statement\nStatement Date: 01/15/2026\nAccount ending in 0000\nNew Balance $10.00\nMinimum Payment Due $1.00\n";

/**
 * node-llama-cpp engine: one model, one context with `sequences` parallel sequences. Every
 * request holds one sequence while it runs; llama.cpp evaluates the pending tokens of all
 * sequences together in one batch per step, so a request arriving mid-way joins the running
 * batch at the next step (continuous batching). Output is constrained by the canonical
 * record grammar and decoded greedily.
 */
export class LlamaEngine implements ExtractionEngine {
  readonly info: EngineModelInfo;
  onStep?: (activeSequences: number) => void;
  readonly #llama: Llama;
  readonly #model: LlamaModel;
  readonly #context: LlamaContext;
  readonly #steps: CompiledStep[];
  readonly #prompts: PromptBuilder;
  readonly #scheduler: SlotScheduler<LlamaContextSequence>;
  readonly #options: LlamaEngineOptions;
  // Requests between prompt evaluation and their last token: the batch size llama.cpp sees.
  #generating = 0;

  private constructor(parts: {
    llama: Llama;
    model: LlamaModel;
    context: LlamaContext;
    steps: CompiledStep[];
    prompts: PromptBuilder;
    info: EngineModelInfo;
    options: LlamaEngineOptions;
  }) {
    this.#llama = parts.llama;
    this.#model = parts.model;
    this.#context = parts.context;
    this.#steps = parts.steps;
    this.#prompts = parts.prompts;
    this.info = parts.info;
    this.#options = parts.options;
    const sequences: LlamaContextSequence[] = [];
    for (let i = 0; i < parts.options.sequences; i++) sequences.push(parts.context.getSequence());
    this.#scheduler = new SlotScheduler(sequences, parts.options.maxQueue);
  }

  /** Checks the files, loads model, adapter and context. Throws StartupError with a clear message. */
  static async load(options: LlamaEngineOptions): Promise<LlamaEngine> {
    const base = await checkModelFile(options.modelPath, "INFERENCE_MODEL_PATH", options.modelSha256);
    let adapter: CheckedModelFile | undefined;
    if (options.loraPath !== undefined) {
      adapter = await checkModelFile(options.loraPath, "INFERENCE_LORA_PATH", options.loraSha256);
    }
    const artifact = await loadPromptArtifact(options.promptPath);

    const llama = await getLlama({
      gpu: options.gpu === "off" ? false : options.gpu,
      // Never compile llama.cpp at start-up: use the prebuilt binaries installed with the package.
      build: "never",
      maxThreads: options.threads,
      logLevel: LlamaLogLevel.warn,
      logger: (level, message) => {
        const text = message.trim();
        if (text.length === 0) return;
        if (level === LlamaLogLevel.error || level === LlamaLogLevel.fatal) options.onRuntimeLog?.("error", text);
        else if (level === LlamaLogLevel.warn) options.onRuntimeLog?.("warn", text);
      },
    });
    let model: LlamaModel;
    try {
      model = await llama.loadModel({ modelPath: base.path, gpuLayers: options.gpuLayers });
    } catch (error) {
      await llama.dispose();
      throw new StartupError(
        `INFERENCE_MODEL_PATH: llama.cpp could not load ${base.path}: ${(error as Error).message} (the file is corrupt, truncated or of an unsupported architecture)`,
        { cause: error },
      );
    }
    try {
      let context: LlamaContext;
      try {
        context = await model.createContext({
          sequences: options.sequences,
          contextSize: options.contextSize,
          batchSize: options.batchSize,
          threads: options.threads,
          lora: adapter ? { adapters: [{ filePath: adapter.path, scale: options.loraScale ?? 1 }] } : undefined,
        });
      } catch (error) {
        throw new StartupError(
          adapter
            ? `INFERENCE_LORA_PATH: could not create a context with adapter ${adapter.path}: ${(error as Error).message} (is it a GGUF LoRA for this base model?)`
            : `INFERENCE_CONTEXT_SIZE/INFERENCE_SEQUENCES: could not create the context: ${(error as Error).message}`,
          { cause: error },
        );
      }
      const prompts = new PromptBuilder({
        model,
        artifact,
        // The configured size, not context.contextSize (llama.cpp may round it up), so that
        // render-prompt, which creates no context, truncates exactly as the sidecar does.
        contextSize: options.contextSize,
        maxCompletionTokens: MAX_COMPLETION_TOKENS,
      });
      const steps = await compileSteps(llama, model);
      const modelId = options.modelId ?? (adapter ? `${fileStem(base.path)}+${fileStem(adapter.path)}` : fileStem(base.path));
      return new LlamaEngine({
        llama,
        model,
        context,
        steps,
        prompts,
        options,
        info: {
          modelId,
          modelVersion: modelVersion(base, adapter ? { file: adapter, scale: options.loraScale ?? 1 } : undefined),
          promptVersion: artifact.version,
        },
      });
    } catch (error) {
      await model.dispose();
      await llama.dispose();
      throw error;
    }
  }

  get promptBuilder(): PromptBuilder {
    return this.#prompts;
  }

  get contextSize(): number {
    return this.#context.contextSize;
  }

  stats(): EngineStats {
    return {
      sequences: this.#scheduler.slotCount,
      activeSequences: this.#scheduler.active,
      queued: this.#scheduler.queued,
      maxQueue: this.#scheduler.maxQueue,
    };
  }

  /**
   * Before health says SERVING: runs a small synthetic document (not customer data) through
   * the whole path for a few tokens. That pays llama.cpp's first-use costs and leaves the
   * system prompt evaluated in one sequence for the first real request to reuse.
   */
  async warmUp(tokens = 8): Promise<{ ms: number }> {
    const started = performance.now();
    const controller = new AbortController();
    let seen = 0;
    try {
      await this.extract(
        { documentId: "warm-up", kind: "statement", text: WARMUP_TEXT },
        { signal: controller.signal, onToken: () => ++seen >= tokens && controller.abort(new RequestAbortedError("cancelled")) },
      );
    } catch (error) {
      if (!(error instanceof RequestAbortedError)) throw error;
    }
    await this.idle();
    return { ms: performance.now() - started };
  }

  async extract(input: ExtractInput, { signal, onToken }: { signal: AbortSignal; onToken?: (() => void) | undefined }): Promise<ExtractOutput> {
    const startedAt = performance.now();
    if (input.text.trim().length === 0) throw new InvalidDocumentError("text is empty");
    if (input.text.length > this.#options.maxDocumentChars) {
      throw new InvalidDocumentError(`text has ${input.text.length} characters; the limit is ${this.#options.maxDocumentChars} (INFERENCE_MAX_DOCUMENT_CHARS)`);
    }
    // Tokenising happens before queueing so that a shed request costs nothing further and a
    // queued one starts evaluating as soon as it gets a sequence.
    const prompt = this.#prompts.build(input.kind, input.text);
    const groundingStartedAt = performance.now();
    const steps =
      this.#options.decoding === "open"
        ? this.#steps
        : await groundSteps(this.#llama, this.#steps, input.text, new Date(), this.#options.decoding === "guided");
    const groundingMs = performance.now() - groundingStartedAt;
    const lease = await this.#scheduler.acquire(signal);
    let leaseHandedToGeneration = false;
    try {
      if (signal.aborted) throw abortError(signal);
      const sequence = lease.slot;
      const { firstDifferentIndex } = sequence.compareContextTokens(prompt.tokens);
      // At least one token must be evaluated to get logits for the first generated token.
      const reusable = Math.min(firstDifferentIndex, prompt.tokens.length - 1);
      if (reusable < sequence.nextTokenIndex) {
        await sequence.eraseContextTokenRanges([{ start: reusable, end: sequence.nextTokenIndex }]);
      }
      const cachedPromptTokens = Math.min(sequence.nextTokenIndex, reusable);
      leaseHandedToGeneration = true;
      this.#generating++;
      const generated = await generateRecord({
        model: this.#model,
        sequence,
        steps,
        promptTokens: prompt.tokens.slice(cachedPromptTokens),
        confidence: this.#options.confidence,
        signal,
        release: () => {
          this.#generating--;
          lease.release();
        },
        onToken: () => {
          this.onStep?.(this.#generating);
          onToken?.();
        },
      });

      const rawOutput = this.#model.detokenize(generated.tokens, false);
      const { record, error: recordError } = parseRecord(rawOutput);
      let confidence: ExtractOutput["confidence"];
      if (!this.#options.confidence) {
        confidence = { available: false, fields: {}, note: "per-field confidence is turned off (INFERENCE_CONFIDENCE=false)" };
      } else {
        const fields: Partial<Record<RecordField, number>> = {};
        this.#steps.forEach((step, i) => {
          fields[step.field] = generated.fieldProbabilities[i]!;
        });
        confidence = {
          available: true,
          fields,
          note: "probability of each value on the greedy path: product of its tokens' probabilities under the field's grammar",
        };
      }
      const endedAt = performance.now();
      return {
        rawOutput,
        record,
        recordError,
        model: this.info,
        promptTokens: prompt.tokens.length,
        cachedPromptTokens,
        completionTokens: generated.tokens.length,
        sampledTokens: generated.sampledTokens,
        timings: {
          queueMs: lease.queuedMs,
          groundingMs,
          promptMs: generated.firstTokenAt - generated.startedAt,
          generationMs: generated.lastTokenAt - generated.firstTokenAt,
          totalMs: endedAt - startedAt,
        },
        confidence,
        truncated: prompt.truncated,
      };
    } finally {
      if (!leaseHandedToGeneration) lease.release();
    }
  }

  startDrain(): void {
    this.#scheduler.startDrain();
  }

  idle(): Promise<void> {
    return this.#scheduler.idle();
  }

  async close(): Promise<void> {
    await this.#context.dispose();
    await this.#model.dispose();
    await this.#llama.dispose();
  }
}

function parseRecord(raw: string): { record: LiabilityRecord | undefined; error: string | undefined } {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { record: undefined, error: "output is not valid JSON" };
  }
  const parsed = liabilityRecordSchema.safeParse(json);
  if (!parsed.success) {
    // Paths and messages only; values could be customer data.
    return {
      record: undefined,
      error: parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "),
    };
  }
  return { record: parsed.data, error: undefined };
}
