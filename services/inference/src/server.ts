import { chmod, lstat, mkdir, unlink } from "node:fs/promises";
import { connect } from "node:net";
import { dirname } from "node:path";
import { create } from "@bufbuild/protobuf";
import {
  extractBatchResponse,
  ExtractResponseSchema,
  InferenceService,
  kindFromProto,
  recordToProto,
  type ExtractBatchRequest,
  type ExtractBatchResponse,
  type ExtractRequest,
  type ExtractResponse,
} from "@liability/contracts";
import { addService, isUnixSocketAddress, serverCredentials, unixSocketPath, type Logger, type TlsFiles } from "@liability/platform";
import * as grpc from "@grpc/grpc-js";
import { context, propagation, SpanKind, SpanStatusCode, trace, type Context, type Span, type TextMapGetter } from "@opentelemetry/api";
import { HealthImplementation } from "grpc-health-check";
import { InvalidDocumentError, type ExtractionEngine, type ExtractOutput } from "./engine.ts";
import { InferenceInstruments } from "./instruments.ts";
import { DrainingError, OverloadedError, RequestAbortedError } from "./scheduler.ts";

export const INFERENCE_SERVICE_NAME = InferenceService.typeName;
/** Trailing metadata on RESOURCE_EXHAUSTED: how long to wait before retrying, in ms. */
export const RETRY_AFTER_METADATA = "retry-after-ms";
/** The same hint under the name grpc's retry policies honour (gRFC A6 server pushback). */
export const GRPC_PUSHBACK_METADATA = "grpc-retry-pushback-ms";

function toResponse(out: ExtractOutput): ExtractResponse {
  return create(ExtractResponseSchema, {
    record: out.record ? recordToProto(out.record) : undefined,
    rawOutput: out.rawOutput,
    model: out.model,
    usage: { promptTokens: out.promptTokens, completionTokens: out.completionTokens },
    timings: out.timings,
    confidence: {
      available: out.confidence.available,
      fields: out.confidence.fields as Record<string, number>,
      note: out.confidence.note,
    },
    truncated: out.truncated,
  });
}

const metadataGetter: TextMapGetter<grpc.Metadata> = {
  keys: (carrier) => Object.keys(carrier.getMap()),
  get: (carrier, key) => {
    const values = carrier.get(key).filter((v): v is string => typeof v === "string");
    return values.length === 0 ? undefined : values.length === 1 ? values[0] : values;
  },
};

/**
 * A batched document's own trace (its W3C context from the request), linked to the batch call's
 * span; without one, the document's span is a child of the batch call's.
 */
function documentContext(batchContext: Context, traceContext: Record<string, string>): Context {
  if (!traceContext.traceparent) return batchContext;
  return propagation.extract(context.active(), traceContext, {
    keys: (carrier) => Object.keys(carrier),
    get: (carrier, key) => carrier[key],
  });
}

/** Documents one ExtractBatch call may carry. */
export const MAX_BATCH_DOCUMENTS = 256;

type DocumentResult =
  | { readonly ok: true; readonly outcome: "ok"; readonly response: ExtractResponse }
  | { readonly ok: false; readonly outcome: string; readonly code: grpc.status; readonly message: string; readonly retryAfterMs?: number };

/**
 * One signal for both ways a call ends early: the client goes away, or its deadline passes.
 * grpc-js also reports a passed deadline as "cancelled" (and the client may cancel at its own
 * deadline a moment before ours); the clock tells the two apart.
 */
function callSignal(call: grpc.ServerUnaryCall<unknown, unknown>): { signal: AbortSignal; deadlineMs: number; dispose: () => void } {
  const controller = new AbortController();
  const deadline = call.getDeadline();
  const deadlineMs = deadline instanceof Date ? deadline.getTime() : deadline;
  const onCancelled = () => controller.abort(new RequestAbortedError(Date.now() >= deadlineMs - 100 ? "deadline" : "cancelled"));
  call.on("cancelled", onCancelled);
  let timer: NodeJS.Timeout | undefined;
  if (Number.isFinite(deadlineMs)) {
    const remaining = deadlineMs - Date.now();
    if (remaining <= 0) controller.abort(new RequestAbortedError("deadline"));
    else timer = setTimeout(() => controller.abort(new RequestAbortedError("deadline")), remaining);
  }
  return {
    signal: controller.signal,
    deadlineMs,
    dispose: () => {
      clearTimeout(timer);
      call.off("cancelled", onCancelled);
    },
  };
}

function statusError(code: grpc.status, details: string, metadata?: grpc.Metadata): Partial<grpc.StatusObject> {
  return { code, details, metadata: metadata ?? new grpc.Metadata() };
}

export interface InferenceServerOptions {
  /** unix:/path or host:port. */
  address: string;
  tls?: TlsFiles | undefined;
  logger: Logger;
  /** How long drain() waits for running and queued requests. */
  drainTimeoutMs: number;
}

/**
 * The gRPC face of the sidecar: InferenceService.Extract plus grpc.health.v1.Health.
 * It listens before the model is loaded so that health checks see NOT_SERVING during
 * start-up; `setEngine` makes it serve, and only then does health report SERVING.
 */
export class InferenceServer {
  readonly server: grpc.Server;
  readonly health: HealthImplementation;
  readonly #options: InferenceServerOptions;
  readonly #logger: Logger;
  readonly #instruments: InferenceInstruments;
  readonly #tracer = trace.getTracer("@liability/inference");
  #engine: ExtractionEngine | undefined;
  #draining = false;
  #boundAddress: string | undefined;

  constructor(options: InferenceServerOptions) {
    this.#options = options;
    this.#logger = options.logger;
    this.server = new grpc.Server({
      // Documents are capped well below this by INFERENCE_MAX_DOCUMENT_CHARS; 4 MiB per message is grpc's default.
      "grpc.max_receive_message_length": 4 * 1024 * 1024,
    });
    this.health = new HealthImplementation({ "": "NOT_SERVING", [INFERENCE_SERVICE_NAME]: "NOT_SERVING" });
    this.health.addToServer(this.server);
    this.#instruments = new InferenceInstruments(() => this.#engine?.stats());
    addService(this.server, InferenceService, {
      extract: (call, callback) => {
        void this.#extract(call, callback);
      },
      extractBatch: (call, callback) => {
        void this.#extractBatch(call, callback);
      },
    });
  }

  /** Binds the address; resolves with the bound address (the real port for host:0). */
  async listen(): Promise<string> {
    const address = this.#options.address;
    if (isUnixSocketAddress(address)) await prepareUnixSocket(unixSocketPath(address));
    const port = await new Promise<number>((resolve, reject) => {
      this.server.bindAsync(address, serverCredentials(this.#options.tls), (error, boundPort) => (error ? reject(error) : resolve(boundPort)));
    });
    // Only this user (the worker container runs as the same one) may connect to a plain socket.
    if (isUnixSocketAddress(address)) await chmod(unixSocketPath(address), 0o600);
    this.#boundAddress = isUnixSocketAddress(address) ? address : address.replace(/:\d+$/, `:${port}`);
    this.#logger.info({ address: this.#boundAddress, tls: Boolean(this.#options.tls?.certFile) }, "listening");
    return this.#boundAddress;
  }

  /** The model is loaded and warmed up: serve requests and report SERVING. */
  setEngine(engine: ExtractionEngine): void {
    this.#engine = engine;
    engine.onStep = (active) => this.#instruments.step(active);
    if (!this.#draining) this.#setHealth("SERVING");
  }

  /** The model is loaded and the server is not draining: what health reports as SERVING. */
  get serving(): boolean {
    return this.#engine !== undefined && !this.#draining;
  }

  get engine(): ExtractionEngine | undefined {
    return this.#engine;
  }

  #setHealth(status: "SERVING" | "NOT_SERVING"): void {
    this.health.setStatus("", status);
    this.health.setStatus(INFERENCE_SERVICE_NAME, status);
  }

  async #extract(call: grpc.ServerUnaryCall<ExtractRequest, ExtractResponse>, callback: grpc.sendUnaryData<ExtractResponse>): Promise<void> {
    const receivedAt = performance.now();
    const parent = propagation.extract(context.active(), call.metadata, metadataGetter);
    const call_ = callSignal(call);
    try {
      const result = await this.#document(call.request, { receivedAt, parent, signal: call_.signal, deadlineMs: call_.deadlineMs, method: "Extract" });
      if (result.ok) return callback(null, result.response);
      const metadata = new grpc.Metadata();
      if (result.retryAfterMs !== undefined) {
        metadata.set(RETRY_AFTER_METADATA, String(result.retryAfterMs));
        metadata.set(GRPC_PUSHBACK_METADATA, String(result.retryAfterMs));
      }
      callback(statusError(result.code, result.message, metadata));
    } finally {
      call_.dispose();
    }
  }

  async #extractBatch(
    call: grpc.ServerUnaryCall<ExtractBatchRequest, ExtractBatchResponse>,
    callback: grpc.sendUnaryData<ExtractBatchResponse>,
  ): Promise<void> {
    const receivedAt = performance.now();
    const documents = call.request.documents;
    if (documents.length > MAX_BATCH_DOCUMENTS) {
      return callback(statusError(grpc.status.INVALID_ARGUMENT, `${documents.length} documents; ExtractBatch takes at most ${MAX_BATCH_DOCUMENTS}`));
    }
    const parent = propagation.extract(context.active(), call.metadata, metadataGetter);
    const call_ = callSignal(call);
    const span = this.#tracer.startSpan(
      `${INFERENCE_SERVICE_NAME}/ExtractBatch`,
      {
        kind: SpanKind.SERVER,
        attributes: { "rpc.system": "grpc", "rpc.service": INFERENCE_SERVICE_NAME, "rpc.method": "ExtractBatch", "inference.batch.size": documents.length },
      },
      parent,
    );
    const batchContext = trace.setSpan(parent, span);
    try {
      // Every document is scheduled on its own, as Extract schedules it: the engine's queue
      // decides what runs now and what is shed, per document.
      const results = await Promise.all(
        documents.map((request) =>
          this.#document(request, {
            receivedAt,
            parent: documentContext(batchContext, request.traceContext),
            signal: call_.signal,
            deadlineMs: call_.deadlineMs,
            method: "ExtractBatch",
          }),
        ),
      );
      span.setAttribute("inference.batch.failed", results.filter((r) => !r.ok).length);
      callback(
        null,
        extractBatchResponse(
          documents.map((d) => d.documentId),
          results,
        ),
      );
    } finally {
      span.end();
      call_.dispose();
    }
  }

  /** One document, from request to response or failure, in its own span. Never throws. */
  async #document(
    request: ExtractRequest,
    c: { receivedAt: number; parent: Context; signal: AbortSignal; deadlineMs: number; method: "Extract" | "ExtractBatch" },
  ): Promise<DocumentResult> {
    return this.#tracer.startActiveSpan(
      `${INFERENCE_SERVICE_NAME}/${c.method}${c.method === "ExtractBatch" ? " document" : ""}`,
      {
        kind: c.method === "Extract" ? SpanKind.SERVER : SpanKind.INTERNAL,
        attributes: {
          "rpc.system": "grpc",
          "rpc.service": INFERENCE_SERVICE_NAME,
          "rpc.method": c.method,
          "document.id": request.documentId,
          "document.chars": request.text.length,
          ...(Number.isFinite(c.deadlineMs) ? { "rpc.deadline_ms": Math.max(0, c.deadlineMs - Date.now()) } : {}),
        },
      },
      c.parent,
      async (span) => {
        const log = this.#logger.child({ document_id: request.documentId });
        const finish = (result: DocumentResult): DocumentResult => {
          this.#instruments.request(result.outcome, performance.now() - c.receivedAt);
          span.setAttribute("inference.outcome", result.outcome);
          if (result.ok) span.setAttribute("rpc.grpc.status_code", grpc.status.OK);
          else {
            span.setStatus({ code: SpanStatusCode.ERROR, message: result.message });
            span.setAttribute("rpc.grpc.status_code", result.code);
            if (result.retryAfterMs !== undefined) span.setAttribute("inference.retry_after_ms", result.retryAfterMs);
          }
          span.end();
          return result;
        };
        const fail = (outcome: string, code: grpc.status, message: string, retryAfterMs?: number): DocumentResult =>
          finish({ ok: false, outcome, code, message, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });

        const engine = this.#engine;
        if (this.#draining) return fail("unavailable", grpc.status.UNAVAILABLE, "the sidecar is shutting down");
        if (!engine) return fail("unavailable", grpc.status.UNAVAILABLE, "the model is still loading");
        const kind = kindFromProto(request.kind);
        if (!kind) return fail("invalid", grpc.status.INVALID_ARGUMENT, "kind must be STATEMENT or CALL_TRANSCRIPT");
        span.setAttribute("document.kind", kind);
        try {
          const out = await engine.extract({ documentId: request.documentId, kind, text: request.text }, { signal: c.signal });
          recordPhaseSpans(this.#tracer, span, c.receivedAt, out);
          this.#instruments.phases({
            queueMs: out.timings.queueMs,
            promptMs: out.timings.promptMs,
            generationMs: out.timings.generationMs,
            promptTokens: out.promptTokens,
            cachedPromptTokens: out.cachedPromptTokens,
            completionTokens: out.completionTokens,
          });
          if (out.recordError) log.warn({ reason: out.recordError }, "model output did not pass the record schema");
          log.debug({ prompt_tokens: out.promptTokens, completion_tokens: out.completionTokens, total_ms: Math.round(out.timings.totalMs) }, "extracted");
          return finish({ ok: true, outcome: "ok", response: toResponse(out) });
        } catch (error) {
          if (error instanceof OverloadedError) return fail("shed", grpc.status.RESOURCE_EXHAUSTED, error.message, error.retryAfterMs);
          if (error instanceof InvalidDocumentError) return fail("invalid", grpc.status.INVALID_ARGUMENT, error.message);
          if (error instanceof DrainingError) return fail("unavailable", grpc.status.UNAVAILABLE, error.message);
          if (error instanceof RequestAbortedError) {
            return fail(error.kind, error.kind === "deadline" ? grpc.status.DEADLINE_EXCEEDED : grpc.status.CANCELLED, error.message);
          }
          span.recordException(error as Error);
          log.error({ err: error }, "extraction failed");
          return fail("error", grpc.status.INTERNAL, "extraction failed");
        }
      },
    );
  }

  /**
   * Graceful drain: health turns NOT_SERVING (the worker stops sending), new calls get
   * UNAVAILABLE, running and queued requests finish (up to drainTimeoutMs), then the
   * server stops. The engine is left for the caller to close.
   */
  async drain(): Promise<void> {
    if (this.#draining) return;
    this.#draining = true;
    this.#setHealth("NOT_SERVING");
    this.#engine?.startDrain();
    const timeout = new Promise<"timeout">((resolve) => setTimeout(resolve, this.#options.drainTimeoutMs, "timeout").unref());
    const idle = this.#engine ? this.#engine.idle().then(() => "idle" as const) : Promise.resolve("idle" as const);
    const outcome = await Promise.race([idle, timeout]);
    if (outcome === "timeout") this.#logger.warn({ timeout_ms: this.#options.drainTimeoutMs }, "drain timed out; stopping anyway");
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        this.server.forceShutdown();
        resolve();
      }, 2000);
      this.server.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
    if (this.#boundAddress && isUnixSocketAddress(this.#boundAddress)) {
      await unlink(unixSocketPath(this.#boundAddress)).catch(() => {});
    }
  }
}

/** Child spans for the three phases, laid out on the request's own timeline. */
function recordPhaseSpans(tracer: ReturnType<typeof trace.getTracer>, span: Span, receivedAt: number, out: ExtractOutput): void {
  const t = out.timings;
  span.setAttributes({
    "inference.model_id": out.model.modelId,
    "inference.model_version": out.model.modelVersion,
    "inference.prompt_version": out.model.promptVersion,
    "inference.queue_ms": t.queueMs,
    "inference.grounding_ms": t.groundingMs,
    "inference.prompt_ms": t.promptMs,
    "inference.generation_ms": t.generationMs,
    "inference.prompt_tokens": out.promptTokens,
    "inference.prompt_cached_tokens": out.cachedPromptTokens,
    "inference.completion_tokens": out.completionTokens,
    "inference.truncated": out.truncated,
  });
  // performance.now() → epoch ms for span times.
  const epoch = Date.now() - performance.now();
  const ctx = trace.setSpan(context.active(), span);
  const end = receivedAt + t.totalMs;
  const generationStart = end - t.generationMs;
  const promptStart = generationStart - t.promptMs;
  const queueStart = promptStart - t.queueMs;
  const phase = (name: string, start: number, stop: number, attributes: Record<string, number>) =>
    tracer.startSpan(name, { startTime: epoch + start, attributes }, ctx).end(epoch + stop);
  phase("inference.queue", queueStart, promptStart, {});
  phase("inference.prompt", promptStart, generationStart, {
    "inference.prompt_tokens": out.promptTokens,
    "inference.prompt_cached_tokens": out.cachedPromptTokens,
  });
  phase("inference.generation", generationStart, end, { "inference.completion_tokens": out.completionTokens });
}

/**
 * A socket file left by a crashed sidecar makes bind fail; remove it, but only when nothing
 * answers on it (a second sidecar on the same path is a configuration error).
 */
async function prepareUnixSocket(path: string): Promise<void> {
  // A directory this creates is private; one that exists (a pod's shared volume) is left as it is.
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const info = await lstat(path).catch(() => undefined);
  if (!info) return;
  if (!info.isSocket()) throw new Error(`INFERENCE_LISTEN_ADDRESS: ${path} exists and is not a socket`);
  const alive = await new Promise<boolean>((resolve) => {
    const socket = connect(path);
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
  if (alive) throw new Error(`INFERENCE_LISTEN_ADDRESS: another process is listening on ${path}`);
  await unlink(path);
}
