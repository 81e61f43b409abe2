import * as grpc from "@grpc/grpc-js";
import type { ExtractBatchResponse, ExtractRequest, ExtractResponse } from "@liability/contracts";

type DocumentRequest = Omit<ExtractRequest, "$typeName" | "$unknown" | "traceContext">;

/** What one ExtractBatch round trip needs from the gRPC client. */
export type BatchCall = (
  request: { documents: (DocumentRequest & Pick<ExtractRequest, "traceContext">)[] },
  options: { deadline: Date; metadata: grpc.Metadata; signal: AbortSignal },
) => Promise<ExtractBatchResponse>;

interface Pending {
  readonly request: DocumentRequest;
  readonly metadata: grpc.Metadata;
  readonly signal: AbortSignal;
  resolve(response: ExtractResponse): void;
  reject(error: unknown): void;
}

/** A failed document of a batch, shaped like the error Extract would have thrown for it. */
export class DocumentCallError extends Error {
  readonly code: grpc.status;
  readonly metadata: grpc.Metadata;
  constructor(code: grpc.status, details: string, retryAfterMs: number) {
    super(`${grpc.status[code] ?? code}: ${details}`);
    this.name = "DocumentCallError";
    this.code = code;
    this.metadata = new grpc.Metadata();
    if (code === grpc.status.RESOURCE_EXHAUSTED && retryAfterMs > 0) this.metadata.set("retry-after-ms", String(retryAfterMs));
  }
}

/**
 * Coalesces the single-document calls made in one turn of the event loop (a batch's worth of
 * documents, all started together) into ExtractBatch round trips of at most `maxDocuments`.
 * Each caller still gets its own answer or its own error, as if it had called Extract, so the
 * retry and circuit-breaker policies keep working per document. A caller that gives up is
 * answered at once; the round trip is cancelled only when every document in it was given up.
 */
export class BatchCoalescer {
  readonly #call: BatchCall;
  readonly #maxDocuments: number;
  readonly #deadlineMs: number;
  #pending: Pending[] = [];
  #scheduled = false;

  constructor(options: { call: BatchCall; maxDocuments: number; deadlineMs: number }) {
    this.#call = options.call;
    this.#maxDocuments = options.maxDocuments;
    this.#deadlineMs = options.deadlineMs;
  }

  extract(request: Pending["request"], options: { metadata: grpc.Metadata; signal: AbortSignal }): Promise<ExtractResponse> {
    return new Promise<ExtractResponse>((resolve, reject) => {
      if (options.signal.aborted) return reject(cancelled());
      this.#pending.push({ request, metadata: options.metadata, signal: options.signal, resolve, reject });
      if (this.#pending.length >= this.#maxDocuments) this.#flush();
      else if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  #flush(): void {
    this.#scheduled = false;
    while (this.#pending.length > 0) void this.#send(this.#pending.splice(0, this.#maxDocuments));
  }

  async #send(batch: Pending[]): Promise<void> {
    const controller = new AbortController();
    let open = batch.length;
    for (const item of batch) {
      item.signal.addEventListener(
        "abort",
        () => {
          item.reject(cancelled());
          if (--open === 0) controller.abort();
        },
        { once: true },
      );
    }
    try {
      const response = await this.#call(
        // Each document carries its own trace context; the call's metadata carries the first one's.
        { documents: batch.map((b) => ({ ...b.request, traceContext: traceContextOf(b.metadata) })) },
        { deadline: new Date(Date.now() + this.#deadlineMs), metadata: batch[0]!.metadata, signal: controller.signal },
      );
      batch.forEach((item, i) => {
        const result = response.results[i];
        if (result?.outcome.case === "response") item.resolve(result.outcome.value);
        else if (result?.outcome.case === "failure") {
          const f = result.outcome.value;
          item.reject(new DocumentCallError(f.code, f.message, f.retryAfterMs));
        } else item.reject(new DocumentCallError(grpc.status.INTERNAL, "the sidecar sent no result for this document", 0));
      });
    } catch (error) {
      // The round trip itself failed (sidecar down, deadline, UNIMPLEMENTED): every document fails with it.
      for (const item of batch) item.reject(error);
    }
  }
}

function traceContextOf(metadata: grpc.Metadata): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of ["traceparent", "tracestate"]) {
    const value = metadata.get(key)[0];
    if (typeof value === "string") out[key] = value;
  }
  return out;
}

function cancelled(): DocumentCallError {
  return new DocumentCallError(grpc.status.CANCELLED, "the caller gave up", 0);
}
