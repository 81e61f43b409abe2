import * as grpc from "@grpc/grpc-js";
import { BrokenCircuitError, circuitBreaker, ConsecutiveBreaker, ExponentialBackoff, handleWhen, retry, TaskCancelledError } from "cockatiel";
import type { CircuitBreakerPolicy, RetryPolicy } from "cockatiel";
import { context, SpanKind, SpanStatusCode } from "@opentelemetry/api";
import { InferenceService, kindToProto } from "@liability/contracts";
import { channelCredentials, createHealthClient, createServiceClient } from "@liability/platform";
import type { HealthClient, Logger, ServiceClient, TlsFiles } from "@liability/platform";
import { BatchCoalescer } from "./batch-coalescer.ts";
import type { AttemptRecord, ExtractOutcome, ExtractRequest, Extractor } from "./core/ports.ts";
import { Semaphore } from "./semaphore.ts";
import { injectIntoMetadata, tracer } from "./tracing.ts";

/** Failures worth another try: the sidecar is restarting, overloaded or slow. */
const TRANSIENT = new Set([grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED, grpc.status.RESOURCE_EXHAUSTED]);
/** The sidecar says the document itself cannot be processed: retrying will not help. */
const REJECTED = new Set([grpc.status.INVALID_ARGUMENT, grpc.status.OUT_OF_RANGE, grpc.status.FAILED_PRECONDITION]);

/** TLS to the sidecar, as PEM file paths (see INFERENCE_TLS_* in config.ts). */
export interface InferenceTls extends TlsFiles {
  /** The name the sidecar's certificate carries, when it is not the address's host. */
  serverName?: string | undefined;
}

export interface InferenceClientOptions {
  address: string;
  /** Undefined: a plain channel (the pod-local Unix socket). */
  tls?: InferenceTls | undefined;
  deadlineMs: number;
  concurrency: number;
  maxAttempts: number;
  retryInitialMs: number;
  retryMaxMs: number;
  breakerThreshold: number;
  breakerHalfOpenMs: number;
  /**
   * Above 1: documents started together travel in ExtractBatch round trips of up to this many
   * (see BatchCoalescer); 1 sends each with Extract.
   */
  batchDocuments: number;
}

export interface InferenceEvents {
  onRetry?(code: string): void;
  onBreakerStateChange?(open: boolean): void;
}

function statusName(code: number): string {
  return grpc.status[code] ?? String(code);
}

function grpcCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "number" ? code : undefined;
}

/**
 * The sidecar's InferenceService, behind the policies that keep the worker well-behaved:
 * a deadline per call, at most `concurrency` calls in flight, retries with exponential
 * backoff and decorrelated jitter for transient failures, and a circuit breaker that stops
 * calling a sidecar that keeps failing (the worker then pauses consumption and probes).
 */
export class InferenceClient implements Extractor {
  readonly #options: InferenceClientOptions;
  readonly #logger: Logger;
  readonly #client: ServiceClient<typeof InferenceService.method>;
  readonly #health: HealthClient;
  readonly #slots: Semaphore;
  readonly #retry: RetryPolicy;
  readonly #breaker: CircuitBreakerPolicy;
  readonly #batches: BatchCoalescer | undefined;

  constructor(options: InferenceClientOptions, logger: Logger, events: InferenceEvents = {}) {
    this.#options = options;
    this.#logger = logger;
    const channelOptions: grpc.ChannelOptions = {
      // Reconnect quickly after a sidecar restart rather than backing off for up to two minutes.
      "grpc.initial_reconnect_backoff_ms": 200,
      "grpc.max_reconnect_backoff_ms": 2_000,
      "grpc.max_receive_message_length": 4 * 1024 * 1024,
      ...(options.tls?.serverName ? { "grpc.ssl_target_name_override": options.tls.serverName } : {}),
    };
    const credentials = channelCredentials(options.tls, options.tls !== undefined);
    this.#client = createServiceClient(InferenceService, options.address, credentials, channelOptions);
    this.#health = createHealthClient(options.address, credentials, channelOptions);

    const transient = handleWhen((e) => {
      const code = grpcCode(e);
      return code !== undefined && TRANSIENT.has(code);
    });
    this.#breaker = circuitBreaker(transient, {
      halfOpenAfter: options.breakerHalfOpenMs,
      breaker: new ConsecutiveBreaker(options.breakerThreshold),
    });
    // A failed half-open probe opens the circuit again; only the first opening is news.
    let open = false;
    this.#breaker.onBreak(() => {
      if (!open) logger.warn({ address: options.address }, "inference circuit opened");
      else logger.debug({ address: options.address }, "inference circuit opened again after a failed probe");
      open = true;
      events.onBreakerStateChange?.(true);
    });
    this.#breaker.onReset(() => {
      open = false;
      logger.info({ address: options.address }, "inference circuit closed");
      events.onBreakerStateChange?.(false);
    });
    // Non-transient server errors (INTERNAL, UNKNOWN) are retried too, but do not open the circuit.
    const retriable = handleWhen((e) => {
      const code = grpcCode(e);
      return code !== undefined && !REJECTED.has(code) && code !== grpc.status.CANCELLED;
    });
    this.#retry = retry(retriable, {
      maxAttempts: Math.max(0, options.maxAttempts - 1),
      backoff: new ExponentialBackoff({ initialDelay: options.retryInitialMs, maxDelay: options.retryMaxMs }),
    });
    this.#retry.onRetry((event) => {
      const code = "error" in event ? grpcCode(event.error) : undefined;
      events.onRetry?.(code === undefined ? "UNKNOWN" : statusName(code));
    });
    this.#slots = new Semaphore(options.concurrency);
    this.#batches =
      options.batchDocuments > 1
        ? new BatchCoalescer({
            call: (request, callOptions) => this.#client.extractBatch(request, callOptions),
            maxDocuments: options.batchDocuments,
            deadlineMs: options.deadlineMs,
          })
        : undefined;
  }

  get circuitOpen(): boolean {
    // CircuitState: 0 closed, 1 open, 2 half-open, 3 isolated.
    return this.#breaker.state === 1 || this.#breaker.state === 3;
  }

  async extract(request: ExtractRequest, signal: AbortSignal): Promise<ExtractOutcome> {
    const attempts: AttemptRecord[] = [];
    return tracer.startActiveSpan("InferenceService/Extract", { kind: SpanKind.CLIENT }, async (span): Promise<ExtractOutcome> => {
      // Captured here: a queued call may be started from another call's completion,
      // whose async context belongs to a different document's trace.
      const callContext = context.active();
      span.setAttributes({ "rpc.system": "grpc", "rpc.service": InferenceService.typeName, "rpc.method": "Extract" });
      try {
        const response = await this.#slots.run(
          () =>
            this.#retry.execute(
              (retryCtx) =>
                this.#breaker.execute(async (breakerCtx) => {
                  const started = performance.now();
                  const attempt = retryCtx.attempt + 1;
                  try {
                    const message = { documentId: request.documentId, kind: kindToProto(request.kind), text: request.text };
                    const metadata = injectIntoMetadata(new grpc.Metadata(), callContext);
                    const result = this.#batches
                      ? await this.#batches.extract(message, { metadata, signal: breakerCtx.signal })
                      : await this.#client.extract(message, {
                          deadline: new Date(Date.now() + this.#options.deadlineMs),
                          metadata,
                          signal: breakerCtx.signal,
                        });
                    attempts.push({ attempt, latencyMs: performance.now() - started, errorCode: null });
                    return result;
                  } catch (error) {
                    const code = grpcCode(error);
                    attempts.push({
                      attempt,
                      latencyMs: performance.now() - started,
                      errorCode: code === undefined ? "UNKNOWN" : statusName(code),
                    });
                    throw error;
                  }
                }, retryCtx.signal),
              signal,
            ),
          signal,
        );
        span.setAttribute("inference.attempts", attempts.length);
        return { kind: "ok", response, attempts };
      } catch (error) {
        span.setAttribute("inference.attempts", attempts.length);
        const outcome = this.#classify(error, attempts, signal);
        span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.kind });
        return outcome;
      } finally {
        span.end();
      }
    });
  }

  #classify(error: unknown, attempts: AttemptRecord[], signal: AbortSignal): ExtractOutcome {
    if (signal.aborted || error instanceof TaskCancelledError) return { kind: "aborted", attempts };
    if (error instanceof BrokenCircuitError) return { kind: "unavailable", code: "CIRCUIT_OPEN", attempts };
    const code = grpcCode(error);
    if (code === undefined) {
      // Not a gRPC error: a bug on our side. Treat it like an outage so nothing is skipped.
      this.#logger.error({ err: error }, "inference call failed without a gRPC status");
      return { kind: "unavailable", code: "CLIENT_ERROR", attempts };
    }
    if (code === grpc.status.CANCELLED) return { kind: "aborted", attempts };
    if (REJECTED.has(code)) return { kind: "rejected", code: statusName(code), attempts };
    if (TRANSIENT.has(code)) return { kind: "unavailable", code: statusName(code), attempts };
    return { kind: "failed", code: statusName(code), attempts };
  }

  /**
   * True when the sidecar answers its health check as SERVING. The check goes through the
   * circuit breaker, so a successful probe after the half-open delay closes the circuit.
   * A sidecar without the health service counts as up once it answers at all.
   */
  async probe(timeoutMs = 2_000): Promise<boolean> {
    try {
      await this.#breaker.execute(
        () =>
          new Promise<void>((resolve, reject) => {
            this.#health.check("", timeoutMs).then((state) => {
              if (state === "SERVING" || state === "UNIMPLEMENTED") resolve();
              else reject(Object.assign(new Error("sidecar not serving"), { code: grpc.status.UNAVAILABLE }));
            }, reject);
          }),
      );
      return true;
    } catch {
      return false;
    }
  }

  close(): void {
    this.#client.channel.close();
    this.#health.close();
  }
}
