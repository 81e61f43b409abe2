import * as grpc from "@grpc/grpc-js";
import { InferenceService, kindToProto } from "@liability/contracts";
import type { ExtractResponse } from "@liability/contracts";
import { reasonCode, validateExtraction } from "@liability/domain";
import type { ValidationPolicy } from "@liability/domain";
import { createHealthClient, createServiceClient } from "@liability/platform";
import type { HealthClient, ServiceClient } from "@liability/platform";
import type { EvalDocument } from "../dataset.ts";
import type { DocResult, RunInfo } from "../result.ts";
import { chooseOutput } from "./records.ts";
import type { RunOptions, Target } from "./target.ts";

export interface SidecarTargetOptions {
  name: string;
  address: string;
  deadlineMs: number;
  /** Apply the worker's validation (from @liability/domain) to each answer; null to skip. */
  validation: ValidationPolicy | null;
  /** How long to wait for the sidecar to report SERVING before giving up. */
  readyTimeoutMs: number;
}

/** Worth another try: queue full or the sidecar briefly unavailable. */
const RETRYABLE = new Set([grpc.status.RESOURCE_EXHAUSTED, grpc.status.UNAVAILABLE]);
const MAX_ATTEMPTS = 5;

/** Calls InferenceService.Extract directly, as the worker would, and times each call. */
export class SidecarTarget implements Target {
  readonly mode = "sidecar" as const;
  readonly name: string;
  readonly address: string;
  readonly #options: SidecarTargetOptions;
  readonly #client: ServiceClient<typeof InferenceService.method>;
  readonly #health: HealthClient;

  constructor(options: SidecarTargetOptions) {
    this.#options = options;
    this.name = options.name;
    this.address = options.address;
    this.#client = createServiceClient(InferenceService, options.address, grpc.credentials.createInsecure());
    this.#health = createHealthClient(options.address, grpc.credentials.createInsecure());
  }

  /** Resolves once health reports SERVING (the model is loaded and warmed up). */
  async waitUntilServing(): Promise<void> {
    const until = Date.now() + this.#options.readyTimeoutMs;
    let last = "no answer";
    while (Date.now() < until) {
      const state = await this.#health.check("", 2_000).catch((error: grpc.ServiceError) => error.details || grpc.status[error.code] || "error");
      if (state === "SERVING" || state === "UNIMPLEMENTED") return;
      last = state;
      await sleep(500);
    }
    throw new Error(`${this.name}: sidecar at ${this.address} not serving after ${this.#options.readyTimeoutMs} ms (${last})`);
  }

  async run(docs: readonly EvalDocument[], options: RunOptions): Promise<RunInfo> {
    await this.waitUntilServing();
    let next = 0;
    const started = performance.now();
    const worker = async () => {
      while (next < docs.length && !options.signal?.aborted) {
        const doc = docs[next++]!;
        options.onResult(await this.#extract(doc));
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));
    return { wallSeconds: (performance.now() - started) / 1000, concurrency: options.concurrency };
  }

  // No abort signal here: an interrupted run stops sending documents but lets those in flight
  // finish, so that none of them is scored as a failed call.
  async #extract(doc: EvalDocument): Promise<DocResult> {
    const started = performance.now();
    let response: ExtractResponse | null = null;
    let error: string | null = null;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      try {
        response = await this.#client.extract(
          { documentId: doc.id, kind: kindToProto(doc.kind), text: doc.text },
          { deadline: new Date(Date.now() + this.#options.deadlineMs) },
        );
        error = null;
        break;
      } catch (e) {
        const code = (e as grpc.ServiceError).code;
        error = grpc.status[code] ?? (e as Error).message;
        if (!RETRYABLE.has(code) || attempt === MAX_ATTEMPTS) break;
        await sleep(100 * 2 ** attempt);
      }
    }
    const latencyMs = performance.now() - started;
    if (!response) {
      return {
        id: doc.id,
        output: null,
        error,
        latencyMs,
        serverMs: null,
        promptTokens: null,
        completionTokens: null,
        truncated: false,
        confidence: null,
        status: null,
        reasons: [],
        model: null,
      };
    }
    const output = chooseOutput(response.rawOutput, response.record);
    const conf = response.confidence?.available ? Object.values(response.confidence.fields) : [];
    let status: DocResult["status"] = null;
    let reasons: string[] = [];
    if (this.#options.validation) {
      const v = validateExtraction(
        {
          text: doc.text,
          output: response.rawOutput.trim() !== "" ? response.rawOutput : output,
          confidence: response.confidence ? { available: response.confidence.available, fields: response.confidence.fields } : null,
          // Date rules are relative to when the document arrived; without that, to now.
          referenceDate: doc.receivedAt ?? new Date(),
          truncated: response.truncated,
        },
        this.#options.validation,
      );
      status = v.status;
      reasons = v.reasons.map(reasonCode);
    }
    return {
      id: doc.id,
      output,
      error: null,
      latencyMs,
      serverMs: response.timings ? response.timings.totalMs : null,
      promptTokens: response.usage ? response.usage.promptTokens : null,
      completionTokens: response.usage ? response.usage.completionTokens : null,
      truncated: response.truncated,
      confidence: conf.length ? Math.min(...conf) : null,
      status,
      reasons,
      model: response.model ? { id: response.model.modelId, version: response.model.modelVersion, prompt: response.model.promptVersion } : null,
    };
  }

  async close(): Promise<void> {
    this.#client.channel.close();
    this.#health.close();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
