import { mkdirSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import { create } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { HealthImplementation } from "grpc-health-check";
import {
  extractBatchResponse,
  ExtractResponseSchema,
  InferenceService,
  recordToProto,
  type ExtractRequest,
  type ExtractResponse,
  type LiabilityRecord as LiabilityRecordMessage,
} from "@liability/contracts";
import { canonicalRecordJson, RECORD_FIELDS } from "@liability/domain";
import { addService, isUnixSocketAddress, serverCredentials, unixSocketPath } from "@liability/platform";
import type { LabelledText } from "./labels.ts";
import { parseLatency, type LatencyDistribution } from "./latency.ts";
import { seededRandom, type Random } from "./random.ts";

/** How the double answers one document id, instead of (or before) the document's label. */
export interface ScriptedAnswer {
  /** The raw model output (JSON text, or anything, to test the schema rule); the label's by default. */
  output?: string;
  /** A gRPC status code to fail with: every time, or the first `failTimes` times. */
  code?: grpc.status;
  failTimes?: number;
  /** This document's service time, instead of a draw from `latency`. */
  delayMs?: number;
  confidence?: Record<string, number>;
  truncated?: boolean;
  promptTokens?: number;
  completionTokens?: number;
}

export interface FakeInferenceSidecarOptions {
  /** Texts answered with their label, as a perfect model would: found by document id, else by text. */
  labels?: readonly LabelledText[];
  /** By document id; wins over the label. */
  answers?: Readonly<Record<string, ScriptedAnswer>>;
  /** Service time of each answer without a `delayMs` of its own, as a latency spec (parseLatency); none by default. */
  latency?: string;
  /** Documents served at once (the model's parallel sequences); unlimited by default. */
  slots?: number;
  /** Documents allowed to wait for a slot, beyond which they are shed with RESOURCE_EXHAUSTED; unlimited by default. */
  maxQueue?: number;
  /** Per-field confidence reported with a label's answer; without it, confidence is reported as unavailable. */
  confidence?: number;
  /** Seed of the latency draws, so that a run repeats. */
  seed?: number;
  /** Called as each document arrives, before it waits for a slot. */
  onRequest?: (request: RequestLogEntry) => void;
}

export interface RequestLogEntry {
  documentId: string;
  traceparent: string | null;
  /** Arrival, epoch milliseconds. */
  at: number;
  /** The RPC that carried the document. */
  via: "Extract" | "ExtractBatch";
}

export interface FakeInferenceSidecarStats {
  /** Documents waiting for a slot now. */
  queued: number;
  /** Documents holding a slot now. */
  inFlight: number;
  received: number;
  /** Answered after their service time, scripted failures included. */
  served: number;
  shed: number;
  /** Deadline passed before the answer. */
  expired: number;
  /** The client went away before the answer. */
  cancelled: number;
  /** Neither a label nor a scripted answer. */
  unknownDocument: number;
  /** Highest queue depth since the previous stats read: a 1 s sample would miss short spikes. */
  maxQueuedSinceLastRead: number;
}

interface PreparedLabel {
  record: LiabilityRecordMessage;
  rawOutput: string;
  confidence: Record<string, number> | undefined;
}

type DocumentResult = { ok: true; response: ExtractResponse } | { ok: false; code: grpc.status; message: string; retryAfterMs?: number };

type EarlyEnd = "shed" | "deadline" | "cancelled";

/** How long a shed document should wait before it is sent again. */
const SHED_RETRY_AFTER_MS = 50;

const NO_ANSWER: DocumentResult = {
  ok: false,
  code: grpc.status.INVALID_ARGUMENT,
  // A real model would answer something; the double cannot, and says why without echoing text.
  message: "FakeInferenceSidecar has no answer for this document",
};

/**
 * One signal for both ways a call ends early, as the real sidecar has: the client goes away, or
 * the deadline passes. grpc-js reports a passed deadline as "cancelled" too; the clock tells them apart.
 */
function callSignal(call: grpc.ServerUnaryCall<unknown, unknown>): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const deadline = call.getDeadline();
  const deadlineMs = deadline instanceof Date ? deadline.getTime() : Number(deadline);
  const onCancelled = () => controller.abort(Date.now() >= deadlineMs - 100 ? "deadline" : "cancelled");
  call.on("cancelled", onCancelled);
  let timer: NodeJS.Timeout | undefined;
  if (Number.isFinite(deadlineMs) && deadlineMs > 0) timer = setTimeout(() => controller.abort("deadline"), Math.max(0, deadlineMs - Date.now()));
  return {
    signal: controller.signal,
    dispose: () => {
      clearTimeout(timer);
      call.off("cancelled", onCancelled);
    },
  };
}

function traceparentOf(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}

/**
 * FakeInferenceSidecar: a test double of the inference sidecar.
 *
 * It is a real gRPC server with the real contract (InferenceService over protobuf-es, Extract and
 * ExtractBatch, plus grpc.health.v1), so a client's deadlines, retries, breaker and health probes
 * are exercised as in production. Only the model is replaced: each document is answered from a
 * script (by document id) or from its label (by id, else by text: a load test publishes one corpus
 * text under many fresh ids), after a service time drawn from a latency distribution.
 *
 * Capacity is modelled like the real sidecar's: `slots` documents are served at once; further ones
 * wait in a FIFO queue up to `maxQueue`, beyond which they are shed with RESOURCE_EXHAUSTED. A
 * document whose call is cancelled or whose deadline passes gives up its place or its slot.
 */
export class FakeInferenceSidecar {
  static readonly MODEL_ID = "FakeInferenceSidecar";

  readonly #options: FakeInferenceSidecarOptions;
  readonly #latency: LatencyDistribution;
  readonly #random: Random;
  readonly #answers: ReadonlyMap<string, ScriptedAnswer>;
  readonly #byId = new Map<string, PreparedLabel>();
  readonly #byText = new Map<string, PreparedLabel>();
  /** Scripted failures given so far, by document id. */
  readonly #failures = new Map<string, number>();
  /** Waiters for a slot; a Set keeps arrival order and lets an abandoned waiter leave at once. */
  readonly #queue = new Set<() => void>();
  #inFlight = 0;
  #server: grpc.Server | undefined;
  #health: HealthImplementation | undefined;
  #stats = { received: 0, served: 0, shed: 0, expired: 0, cancelled: 0, unknownDocument: 0, maxQueued: 0 };

  constructor(options: FakeInferenceSidecarOptions) {
    if (options.slots !== undefined && options.slots < 1) throw new Error("FakeInferenceSidecar: slots must be at least 1");
    this.#options = options;
    this.#latency = parseLatency(options.latency ?? "none");
    this.#random = seededRandom(options.seed ?? 7);
    this.#answers = new Map(Object.entries(options.answers ?? {}));
    for (const label of options.labels ?? []) {
      const prepared = this.#prepare(label);
      if (label.id !== undefined) this.#byId.set(label.id, prepared);
      this.#byText.set(label.text, prepared);
    }
  }

  /** Binds to `address` (`unix:/path`, or `host:port` with port 0 for any) and returns the bound address. */
  async listen(address: string): Promise<string> {
    const server = new grpc.Server({
      // A worker keeps one channel open for hours; the defaults would close it as idle.
      "grpc.keepalive_permit_without_calls": 1,
    });
    addService(server, InferenceService, {
      extract: (call, callback) => {
        const { signal, dispose } = callSignal(call);
        void this.#document(call.request, "Extract", traceparentOf(call.metadata.get("traceparent")[0]), signal).then((result) => {
          dispose();
          if (result.ok) return callback(null, result.response);
          const metadata = new grpc.Metadata();
          if (result.retryAfterMs !== undefined) metadata.set("retry-after-ms", String(result.retryAfterMs));
          callback({ code: result.code, details: result.message, metadata });
        });
      },
      extractBatch: (call, callback) => {
        const { signal, dispose } = callSignal(call);
        const documents = call.request.documents;
        // Each document is served on its own, as the real sidecar schedules a batch.
        void Promise.all(documents.map((d) => this.#document(d, "ExtractBatch", traceparentOf(d.traceContext.traceparent), signal))).then((results) => {
          dispose();
          callback(
            null,
            extractBatchResponse(
              documents.map((d) => d.documentId),
              results,
            ),
          );
        });
      },
    });
    this.#health = new HealthImplementation({ "": "SERVING", [InferenceService.typeName]: "SERVING" });
    this.#health.addToServer(server);
    if (isUnixSocketAddress(address)) {
      // As the real sidecar does, so that it can stand in for it at the same address.
      mkdirSync(dirname(unixSocketPath(address)), { recursive: true });
      // A test may kill the double and start it again on its socket, which the killed one left behind.
      rmSync(unixSocketPath(address), { force: true });
    }
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(address, serverCredentials(undefined), (error, bound) => (error ? reject(error) : resolve(bound))),
    );
    this.#server = server;
    return isUnixSocketAddress(address) ? address : address.replace(/:\d+$/, `:${port}`);
  }

  stats(): FakeInferenceSidecarStats {
    const stats: FakeInferenceSidecarStats = {
      queued: this.#queue.size,
      inFlight: this.#inFlight,
      received: this.#stats.received,
      served: this.#stats.served,
      shed: this.#stats.shed,
      expired: this.#stats.expired,
      cancelled: this.#stats.cancelled,
      unknownDocument: this.#stats.unknownDocument,
      maxQueuedSinceLastRead: this.#stats.maxQueued,
    };
    this.#stats.maxQueued = this.#queue.size;
    return stats;
  }

  /** Reports NOT_SERVING, then closes once the calls in flight finish (a graceful drain, like the real sidecar's). */
  async close(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#health?.setStatus("", "NOT_SERVING");
    this.#health?.setStatus(InferenceService.typeName, "NOT_SERVING");
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, 5000);
      server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    this.#server = undefined;
  }

  #prepare(label: LabelledText): PreparedLabel {
    let confidence: Record<string, number> | undefined;
    if (this.#options.confidence !== undefined) {
      confidence = {};
      for (const field of RECORD_FIELDS) if (label.expected[field] !== null) confidence[field] = this.#options.confidence;
    }
    return { record: recordToProto(label.expected), rawOutput: canonicalRecordJson(label.expected), confidence };
  }

  /** One document, from arrival to its answer or failure. */
  async #document(
    request: Pick<ExtractRequest, "documentId" | "text">,
    via: RequestLogEntry["via"],
    traceparent: string | null,
    signal: AbortSignal,
  ): Promise<DocumentResult> {
    const arrived = performance.now();
    this.#stats.received++;
    this.#options.onRequest?.({ documentId: request.documentId, traceparent, at: Date.now(), via });
    const scripted = this.#answers.get(request.documentId);
    const label = this.#byId.get(request.documentId) ?? this.#byText.get(request.text);
    if (!scripted && !label) {
      this.#stats.unknownDocument++;
      return NO_ANSWER;
    }

    const admitted = await this.#admit(signal);
    if (admitted !== "admitted") return this.#endedEarly(admitted);
    const started = performance.now();
    const ended = await this.#serviceTime(scripted?.delayMs ?? this.#latency.sample(this.#random), signal);
    this.#release();
    if (ended) return this.#endedEarly(ended);
    this.#stats.served++;

    if (scripted?.code !== undefined) {
      const failed = this.#failures.get(request.documentId) ?? 0;
      if (scripted.failTimes === undefined || failed < scripted.failTimes) {
        this.#failures.set(request.documentId, failed + 1);
        return { ok: false, code: scripted.code, message: "scripted failure" };
      }
    }
    const scriptedOutput = scripted?.output;
    const rawOutput = scriptedOutput ?? label?.rawOutput;
    if (rawOutput === undefined) return NO_ANSWER;
    const confidence = scripted?.confidence ?? (scriptedOutput === undefined ? label?.confidence : undefined);
    const done = performance.now();
    return {
      ok: true,
      response: create(ExtractResponseSchema, {
        // The record only where the label is the answer: a scripted output is what the model "said".
        record: scriptedOutput === undefined ? label?.record : undefined,
        rawOutput,
        model: { modelId: FakeInferenceSidecar.MODEL_ID, modelVersion: "test-double", promptVersion: "test-double" },
        // Rough token counts (about 4 characters a token) so that token metrics downstream are not zero.
        usage: {
          promptTokens: scripted?.promptTokens ?? Math.ceil(request.text.length / 4),
          completionTokens: scripted?.completionTokens ?? Math.ceil(rawOutput.length / 4),
        },
        timings: { queueMs: started - arrived, promptMs: 0, generationMs: done - started, totalMs: done - arrived },
        confidence: confidence ? { available: true, fields: confidence } : { available: false, note: "FakeInferenceSidecar reports no confidence" },
        truncated: scripted?.truncated ?? false,
      }),
    };
  }

  /** Takes a slot, at once or after a wait in the queue. */
  #admit(signal: AbortSignal): Promise<"admitted" | EarlyEnd> {
    if (signal.aborted) return Promise.resolve(signal.reason as EarlyEnd);
    if (this.#inFlight < (this.#options.slots ?? Number.POSITIVE_INFINITY)) {
      this.#inFlight++;
      return Promise.resolve("admitted");
    }
    if (this.#queue.size >= (this.#options.maxQueue ?? Number.POSITIVE_INFINITY)) return Promise.resolve("shed");
    return new Promise((resolve) => {
      const admit = () => {
        signal.removeEventListener("abort", leave);
        this.#inFlight++;
        resolve("admitted");
      };
      const leave = () => {
        this.#queue.delete(admit);
        resolve(signal.reason as EarlyEnd);
      };
      signal.addEventListener("abort", leave, { once: true });
      this.#queue.add(admit);
      this.#stats.maxQueued = Math.max(this.#stats.maxQueued, this.#queue.size);
    });
  }

  #release(): void {
    this.#inFlight--;
    const next = this.#queue.values().next();
    if (next.done) return;
    this.#queue.delete(next.value);
    next.value();
  }

  /** Resolves after `ms`, or with why the call ended first. */
  #serviceTime(ms: number, signal: AbortSignal): Promise<EarlyEnd | undefined> {
    return new Promise((resolve) => {
      const served = () => {
        signal.removeEventListener("abort", stop);
        resolve(undefined);
      };
      let cancelTimer: () => void;
      if (ms > 0) {
        const timeout = setTimeout(served, ms);
        cancelTimer = () => clearTimeout(timeout);
      } else {
        // setImmediate keeps the answer asynchronous without a timer's 1 ms floor.
        const immediate = setImmediate(served);
        cancelTimer = () => clearImmediate(immediate);
      }
      const stop = () => {
        cancelTimer();
        resolve(signal.reason as EarlyEnd);
      };
      signal.addEventListener("abort", stop, { once: true });
    });
  }

  #endedEarly(why: EarlyEnd): DocumentResult {
    if (why === "shed") {
      this.#stats.shed++;
      return { ok: false, code: grpc.status.RESOURCE_EXHAUSTED, message: "FakeInferenceSidecar queue full", retryAfterMs: SHED_RETRY_AFTER_MS };
    }
    if (why === "deadline") {
      this.#stats.expired++;
      return { ok: false, code: grpc.status.DEADLINE_EXCEEDED, message: "deadline passed before the answer" };
    }
    this.#stats.cancelled++;
    return { ok: false, code: grpc.status.CANCELLED, message: "the client cancelled the call" };
  }
}
