import { create } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { HealthImplementation } from "grpc-health-check";
import {
  ExtractResponseSchema,
  InferenceService,
  recordToProto,
  type ExtractRequest,
  type ExtractResponse,
  type LiabilityRecord as LiabilityRecordMessage,
} from "@liability/contracts";
import { canonicalRecordJson, RECORD_FIELDS } from "@liability/domain";
import { addService, serverCredentials } from "@liability/platform";
import { textDigest, type LoadDocument } from "./corpus.ts";
import type { LatencyDistribution } from "./latency.ts";
import { seededRandom, type Random } from "./random.ts";

/**
 * FakeInferenceSidecar: a test double of the inference sidecar for load tests of the worker.
 *
 * It is a real gRPC server implementing InferenceService (same contract, same protobuf-es
 * serialisation, same health service), so the worker's client, deadlines, retries and
 * concurrency are exercised as in production; only the model is replaced by a lookup of the
 * document's label plus a drawn service time. That isolates the worker pipeline's own capacity
 * (Kafka, gRPC, validation, PostgreSQL) from the model's.
 *
 * Capacity is modelled like the real sidecar: `slots` requests are served at once (the model's
 * parallel sequences); further requests wait in a FIFO queue up to `maxQueue`, beyond which they
 * are shed with RESOURCE_EXHAUSTED. Expired deadlines and cancelled calls leave the queue.
 */
export interface FakeInferenceSidecarOptions {
  documents: readonly LoadDocument[];
  latency: LatencyDistribution;
  /** Requests served concurrently. */
  slots: number;
  /** Requests allowed to wait for a slot. */
  maxQueue: number;
  /** Per-field confidence to report; undefined reports confidence as unavailable. */
  confidence?: number;
  seed?: number;
}

export interface FakeSidecarStats {
  /** Requests waiting for a slot now. */
  queued: number;
  /** Requests holding a slot now. */
  inFlight: number;
  received: number;
  served: number;
  shed: number;
  expired: number;
  cancelled: number;
  unknownDocument: number;
  /** Highest queue depth since the previous stats read: a 1 s sample would miss short spikes. */
  maxQueuedSinceLastRead: number;
}

interface Waiter {
  start: () => void;
  abandoned: boolean;
}

interface PreparedAnswer {
  record: LiabilityRecordMessage;
  rawOutput: string;
  promptTokens: number;
  completionTokens: number;
  confidenceFields: Record<string, number>;
}

export class FakeInferenceSidecar {
  static readonly MODEL_ID = "FakeInferenceSidecar";

  readonly #options: FakeInferenceSidecarOptions;
  readonly #random: Random;
  readonly #byId = new Map<string, PreparedAnswer>();
  readonly #byDigest = new Map<string, PreparedAnswer>();
  readonly #queue: Waiter[] = [];
  #inFlight = 0;
  #server: grpc.Server | undefined;
  #health: HealthImplementation | undefined;
  #stats = { received: 0, served: 0, shed: 0, expired: 0, cancelled: 0, unknownDocument: 0, maxQueued: 0 };

  constructor(options: FakeInferenceSidecarOptions) {
    if (options.slots < 1) throw new Error("FakeInferenceSidecar: slots must be at least 1");
    this.#options = options;
    this.#random = seededRandom(options.seed ?? 7);
    for (const doc of options.documents) {
      const rawOutput = canonicalRecordJson(doc.expected);
      const confidenceFields: Record<string, number> = {};
      if (options.confidence !== undefined) {
        for (const field of RECORD_FIELDS) if (doc.expected[field] !== null) confidenceFields[field] = options.confidence;
      }
      const answer: PreparedAnswer = {
        record: recordToProto(doc.expected),
        rawOutput,
        // Rough token counts (about 4 characters a token) so that token metrics downstream are not zero.
        promptTokens: Math.ceil(doc.text.length / 4),
        completionTokens: Math.ceil(rawOutput.length / 4),
        confidenceFields,
      };
      this.#byId.set(doc.id, answer);
      this.#byDigest.set(textDigest(doc.text), answer);
    }
  }

  /** Binds to `address` (`unix:/path` or `host:port`, port 0 for any) and returns the bound address. */
  async listen(address: string): Promise<string> {
    const server = new grpc.Server({
      // The worker keeps one channel open for hours; the defaults would close it as idle.
      "grpc.keepalive_permit_without_calls": 1,
    });
    addService(server, InferenceService, {
      extract: (call, callback) => this.#extract(call, callback),
      // The worker sends single Extract calls today; a load-test double answers only what it is asked.
      extractBatch: (_call, callback) => callback({ code: grpc.status.UNIMPLEMENTED, details: "FakeInferenceSidecar answers Extract only" }),
    });
    this.#health = new HealthImplementation({ "": "SERVING", [InferenceService.typeName]: "SERVING" });
    this.#health.addToServer(server);
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(address, serverCredentials(undefined), (err, p) => (err ? reject(err) : resolve(p))),
    );
    this.#server = server;
    if (address.startsWith("unix:")) return address;
    return address.replace(/:\d+$/, `:${port}`);
  }

  stats(): FakeSidecarStats {
    const s: FakeSidecarStats = {
      queued: this.#queue.length,
      inFlight: this.#inFlight,
      received: this.#stats.received,
      served: this.#stats.served,
      shed: this.#stats.shed,
      expired: this.#stats.expired,
      cancelled: this.#stats.cancelled,
      unknownDocument: this.#stats.unknownDocument,
      maxQueuedSinceLastRead: this.#stats.maxQueued,
    };
    this.#stats.maxQueued = this.#queue.length;
    return s;
  }

  /** Reports NOT_SERVING, then closes once in-flight calls finish (graceful drain, like the real sidecar). */
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

  #extract(call: grpc.ServerUnaryCall<ExtractRequest, ExtractResponse>, callback: grpc.sendUnaryData<ExtractResponse>): void {
    this.#stats.received++;
    const arrived = performance.now();
    const request = call.request;
    const answer = this.#byId.get(request.documentId) ?? this.#byDigest.get(textDigest(request.text));
    if (!answer) {
      this.#stats.unknownDocument++;
      // A real model would answer something; the double cannot, and says why without echoing text.
      callback({ code: grpc.status.INVALID_ARGUMENT, details: "FakeInferenceSidecar has no label for this document" });
      return;
    }

    const serve = () => {
      this.#inFlight++;
      const started = performance.now();
      const serviceMs = this.#options.latency.sample(this.#random);
      const finish = () => {
        this.#inFlight--;
        this.#release();
        if (call.cancelled) {
          this.#stats.cancelled++;
          return;
        }
        this.#stats.served++;
        const done = performance.now();
        callback(
          null,
          create(ExtractResponseSchema, {
            record: answer.record,
            rawOutput: answer.rawOutput,
            model: { modelId: FakeInferenceSidecar.MODEL_ID, modelVersion: "test-double", promptVersion: "test-double" },
            usage: { promptTokens: answer.promptTokens, completionTokens: answer.completionTokens },
            timings: {
              queueMs: started - arrived,
              promptMs: 0,
              generationMs: done - started,
              totalMs: done - arrived,
            },
            confidence:
              this.#options.confidence === undefined
                ? { available: false, note: "FakeInferenceSidecar reports no confidence" }
                : { available: true, fields: answer.confidenceFields },
            truncated: false,
          }),
        );
      };
      // setImmediate for zero latency keeps the answer asynchronous without a timer's 1 ms floor.
      if (serviceMs <= 0) setImmediate(finish);
      else setTimeout(finish, serviceMs);
    };

    if (this.#inFlight < this.#options.slots) {
      serve();
      return;
    }
    if (this.#queue.length >= this.#options.maxQueue) {
      this.#stats.shed++;
      const metadata = new grpc.Metadata();
      metadata.set("retry-after-ms", "50");
      callback({ code: grpc.status.RESOURCE_EXHAUSTED, details: "FakeInferenceSidecar queue full", metadata });
      return;
    }
    const waiter: Waiter = { start: serve, abandoned: false };
    const deadline = call.getDeadline();
    const deadlineMs = deadline instanceof Date ? deadline.getTime() : Number(deadline);
    let timer: NodeJS.Timeout | undefined;
    if (Number.isFinite(deadlineMs) && deadlineMs > 0) {
      timer = setTimeout(
        () => {
          if (waiter.abandoned) return;
          waiter.abandoned = true;
          this.#stats.expired++;
          callback({ code: grpc.status.DEADLINE_EXCEEDED, details: "deadline passed while queued" });
        },
        Math.max(0, deadlineMs - Date.now()),
      );
    }
    call.once("cancelled", () => {
      if (waiter.abandoned) return;
      waiter.abandoned = true;
      this.#stats.cancelled++;
      if (timer) clearTimeout(timer);
    });
    waiter.start = () => {
      if (timer) clearTimeout(timer);
      serve();
    };
    this.#queue.push(waiter);
    if (this.#queue.length > this.#stats.maxQueued) this.#stats.maxQueued = this.#queue.length;
  }

  #release(): void {
    while (this.#queue.length > 0 && this.#inFlight < this.#options.slots) {
      const next = this.#queue.shift()!;
      if (!next.abandoned) {
        next.abandoned = true;
        next.start();
      }
    }
  }
}
