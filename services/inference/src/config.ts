import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { envBoolean, loadConfig, telemetryConfigSchema } from "@liability/platform";
import { z } from "zod";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

/** Where infra/models/fetch-base-model.sh puts the default base model. */
export const DEFAULT_MODEL_PATH = `${repoRoot}.cache/models/SmolLM2-135M-Instruct.Q4_1.gguf`;
/** The fine-tuned extraction adapter shipped with the repository (training/README.md). */
export const DEFAULT_LORA_PATH = `${repoRoot}training/artifacts/extraction-lora-v1.gguf`;
export const DEFAULT_PROMPT_PATH = fileURLToPath(new URL("../prompts/extraction-v1.json", import.meta.url));
/** Co-located with the worker: a Unix domain socket avoids TCP and needs no port. */
export const DEFAULT_LISTEN_ADDRESS = "unix:/tmp/lre-inference/inference.sock";

const sha256Hex = z
  .string()
  .regex(/^[0-9a-fA-F]{64}$/, "expected a sha256 as 64 hex digits")
  .transform((s) => s.toLowerCase());

const positiveInt = z.coerce.number().int().positive();
const nonNegativeInt = z.coerce.number().int().min(0);

/**
 * Every setting of the sidecar, one environment variable each. Defaults suit the default
 * base model on a small CPU machine; any GGUF works by setting INFERENCE_MODEL_PATH.
 */
export const inferenceConfigSchema = z
  .object({
    /** GGUF base model. */
    INFERENCE_MODEL_PATH: z.string().min(1).default(DEFAULT_MODEL_PATH),
    /** When set, start-up fails unless the base model file has this sha256. */
    INFERENCE_MODEL_SHA256: sha256Hex.optional(),
    /** Human-readable model id; default: the base file name (without .gguf) plus "+" and the adapter's. */
    INFERENCE_MODEL_ID: z.string().min(1).max(200).optional(),
    /** LoRA adapter (GGUF) applied on top of the base model; "none" serves the base model alone. */
    INFERENCE_LORA_PATH: z
      .string()
      .min(1)
      .default(DEFAULT_LORA_PATH)
      .transform((path) => (path === "none" ? undefined : path)),
    INFERENCE_LORA_SHA256: sha256Hex.optional(),
    INFERENCE_LORA_SCALE: z.coerce.number().positive().max(4).default(1),
    /** Prompt artifact: {"version", "system", "user"} with {kind} and {text} in "user". */
    INFERENCE_PROMPT_PATH: z.string().min(1).default(DEFAULT_PROMPT_PATH),

    /** unix:/path/to.sock (default) or host:port for TCP. */
    INFERENCE_LISTEN_ADDRESS: z
      .string()
      .regex(/^(unix:.+|[^\s:]*:\d{1,5})$/, "expected unix:/path/to.sock or host:port")
      .default(DEFAULT_LISTEN_ADDRESS),
    /** TLS server certificate and key (PEM); both or neither. */
    INFERENCE_TLS_CERT_FILE: z.string().min(1).optional(),
    INFERENCE_TLS_KEY_FILE: z.string().min(1).optional(),
    /** CA bundle (PEM): when set, clients must present a certificate signed by it (mTLS). */
    INFERENCE_TLS_CA_FILE: z.string().min(1).optional(),

    /**
     * Parallel sequences in the one llama.cpp context: how many requests are generated at once.
     * At most 256, llama.cpp's LLAMA_MAX_SEQ (a GPU batches that many; a CPU wants a few).
     */
    INFERENCE_SEQUENCES: positiveInt.max(256).default(4),
    /** Context size per sequence in tokens (prompt + completion). */
    INFERENCE_CONTEXT_SIZE: positiveInt.min(1024).max(131_072).default(4096),
    /** Tokens per llama.cpp decode batch; default: node-llama-cpp's choice. */
    INFERENCE_BATCH_SIZE: positiveInt.optional(),
    /** CPU threads for llama.cpp. llama.cpp threads spin, so leave a core for the rest of the pod. */
    INFERENCE_THREADS: positiveInt.max(256).default(Math.max(1, availableParallelism() - 1)),
    /** auto: use a GPU when a working one is found (CUDA, Vulkan, Metal), else the CPU. off: CPU only. */
    INFERENCE_GPU: z.enum(["auto", "cuda", "vulkan", "metal", "off"]).default("auto"),
    /** Layers to offload to the GPU: auto, max, or a number. */
    INFERENCE_GPU_LAYERS: z.union([z.enum(["auto", "max"]), nonNegativeInt]).default("auto"),

    /** Requests allowed to wait for a free sequence; beyond that, RESOURCE_EXHAUSTED. */
    INFERENCE_MAX_QUEUE: nonNegativeInt.max(10_000).default(32),
    /** Documents longer than this (characters) are rejected with INVALID_ARGUMENT. */
    INFERENCE_MAX_DOCUMENT_CHARS: positiveInt.default(100_000),
    /**
     * guided: grounded, and each field that the document labels unambiguously (the labelled-field
     * reader: last-4, dates, escrow, rate, payment) is fixed to that value. grounded: amounts,
     * rates, dates and last-4 may only be values the document states (or null), so a value the
     * model invents cannot be produced. open: any value of the field's type, for comparison.
     */
    INFERENCE_DECODING: z.enum(["grounded", "guided", "open"]).default("guided"),
    /** Per-field confidence from token probabilities (costs a grammar pass over the vocabulary per token). */
    INFERENCE_CONFIDENCE: envBoolean.default(true),
    /** On SIGTERM: how long in-flight and queued requests may take before the server stops anyway. */
    INFERENCE_DRAIN_TIMEOUT_MS: positiveInt.default(30_000),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  })
  .extend(telemetryConfigSchema.shape)
  .superRefine((c, ctx) => {
    if ((c.INFERENCE_TLS_CERT_FILE === undefined) !== (c.INFERENCE_TLS_KEY_FILE === undefined)) {
      ctx.addIssue({
        code: "custom",
        path: [c.INFERENCE_TLS_CERT_FILE === undefined ? "INFERENCE_TLS_CERT_FILE" : "INFERENCE_TLS_KEY_FILE"],
        message: "INFERENCE_TLS_CERT_FILE and INFERENCE_TLS_KEY_FILE must be set together",
      });
    }
    if (c.INFERENCE_TLS_CA_FILE !== undefined && c.INFERENCE_TLS_CERT_FILE === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["INFERENCE_TLS_CA_FILE"],
        message: "client certificates (INFERENCE_TLS_CA_FILE) need a server certificate (INFERENCE_TLS_CERT_FILE)",
      });
    }
    if (c.INFERENCE_LORA_SHA256 !== undefined && c.INFERENCE_LORA_PATH === undefined) {
      ctx.addIssue({ code: "custom", path: ["INFERENCE_LORA_SHA256"], message: "set without INFERENCE_LORA_PATH" });
    }
  });

export type InferenceConfig = z.infer<typeof inferenceConfigSchema>;

export function loadInferenceConfig(env: Readonly<Record<string, string | undefined>> = process.env): InferenceConfig {
  return loadConfig(inferenceConfigSchema, env);
}
