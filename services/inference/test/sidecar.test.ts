// The sidecar over gRPC with the real default model on CPU. One sidecar (2 sequences, a
// queue of 1) serves all tests in order; the last one drains it.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import * as grpc from "@grpc/grpc-js";
import { DocumentKind, InferenceService, type ExtractResponse } from "@liability/contracts";
import { canonicalRecordJson, liabilityRecordSchema, RECORD_FIELDS, type LabelledDocument } from "@liability/domain";
import { createHealthClient, createLogger, createServiceClient, unixSocketPath } from "@liability/platform";
import type { HealthClient } from "@liability/platform";
import { AggregationTemporality, MetricReader } from "@opentelemetry/sdk-metrics";
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { loadInferenceConfig } from "../src/config.ts";
import { RETRY_AFTER_METADATA } from "../src/server.ts";
import { startSidecar, type Sidecar } from "../src/sidecar.ts";
import { ensureDefaultModel, specExamples, STATEMENT, TEST_THREADS, TRANSCRIPT, waitFor } from "./helpers.ts";

class TestMetricReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

const spans = new InMemorySpanExporter();
const metricReader = new TestMetricReader({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });

const socketDir = mkdtempSync(join(tmpdir(), "inference-test-"));
const address = `unix:${join(socketDir, "inference.sock")}`;
const MAX_DOCUMENT_CHARS = 5000;

let sidecar: Sidecar;
const makeClient = () => createServiceClient(InferenceService, address, grpc.credentials.createInsecure());
let client: ReturnType<typeof makeClient>;
let health: HealthClient | undefined;

before(() => {
  ensureDefaultModel();
});

after(async () => {
  client?.channel.close();
  health?.close();
  await sidecar?.stop();
  rmSync(socketDir, { recursive: true, force: true });
});

function healthStatus(): Promise<string> {
  return health!.check("", 5_000).catch((e: grpc.ServiceError) => `error ${e.code}`);
}

const KIND = { statement: DocumentKind.STATEMENT, call_transcript: DocumentKind.CALL_TRANSCRIPT } as const;

function extract(doc: LabelledDocument, options: { deadlineMs?: number; signal?: AbortSignal } = {}): Promise<ExtractResponse> {
  return client.extract(
    { documentId: doc.id, kind: KIND[doc.kind], text: doc.text },
    { deadline: new Date(Date.now() + (options.deadlineMs ?? 120_000)), signal: options.signal },
  );
}

async function grpcCode(promise: Promise<unknown>): Promise<grpc.ServiceError> {
  try {
    await promise;
  } catch (error) {
    return error as grpc.ServiceError;
  }
  assert.fail("expected the call to fail");
}

/** The output is a schema-valid record in canonical form, with model, usage, timings and confidence filled in. */
function assertGoodResponse(r: ExtractResponse): void {
  const parsed = liabilityRecordSchema.parse(JSON.parse(r.rawOutput));
  assert.equal(canonicalRecordJson(parsed), r.rawOutput, "raw output is canonical JSON");
  assert.ok(r.record, "record set");
  assert.equal(r.record.lenderName, parsed.lender_name);
  assert.equal(r.record.accountLast4 ?? null, parsed.account_last4);
  assert.equal(r.record.currentBalance ?? null, parsed.current_balance);
  // The default: the base model with the shipped fine-tuned adapter on top.
  assert.equal(r.model?.modelId, "SmolLM2-135M-Instruct.Q4_1+extraction-lora-v1");
  assert.match(r.model?.modelVersion ?? "", /^sha256-[0-9a-f]{16}$/);
  assert.equal(r.model?.promptVersion, "extraction-v1");
  assert.ok((r.usage?.promptTokens ?? 0) > 50 && (r.usage?.completionTokens ?? 0) > 50);
  const t = r.timings!;
  assert.ok(t.promptMs > 0 && t.generationMs > 0 && t.totalMs >= t.queueMs + t.promptMs + t.generationMs - 1);
  assert.equal(r.confidence?.available, true);
  assert.deepEqual(Object.keys(r.confidence.fields).sort(), [...RECORD_FIELDS].sort());
  for (const v of Object.values(r.confidence.fields)) assert.ok(v >= 0 && v <= 1);
  assert.equal(r.truncated, false);
}

test("health is NOT_SERVING while the model loads and SERVING only after load and warm-up", async () => {
  const config = loadInferenceConfig({
    INFERENCE_LISTEN_ADDRESS: address,
    INFERENCE_SEQUENCES: "2",
    INFERENCE_MAX_QUEUE: "1",
    INFERENCE_CONTEXT_SIZE: "2048",
    INFERENCE_THREADS: String(TEST_THREADS),
    INFERENCE_GPU: "off",
    INFERENCE_MAX_DOCUMENT_CHARS: String(MAX_DOCUMENT_CHARS),
    INFERENCE_DRAIN_TIMEOUT_MS: "60000",
  });
  const logger = createLogger({ service: "inference-test", level: "warn" });
  sidecar = await startSidecar(config, { logger, spanProcessors: [new SimpleSpanProcessor(spans)], metricReaders: [metricReader] });
  client = makeClient();
  health = createHealthClient(address, grpc.credentials.createInsecure());

  assert.equal(await healthStatus(), "NOT_SERVING");
  const early = await grpcCode(extract(STATEMENT));
  assert.equal(early.code, grpc.status.UNAVAILABLE);

  const engine = await sidecar.ready;
  assert.equal(await healthStatus(), "SERVING");
  assert.equal(sidecar.server.engine, engine);
});

// Three documents at once on two sequences: the first two tests share this one round of work.
let concurrentRound: Promise<ExtractResponse[]> | undefined;
function concurrentRoundOnce(): Promise<ExtractResponse[]> {
  const examples = specExamples();
  const statement = examples.find((d) => d.kind === "statement") ?? STATEMENT;
  const transcript = examples.find((d) => d.kind === "call_transcript") ?? TRANSCRIPT;
  concurrentRound ??= Promise.all([extract(statement), extract(transcript), extract(STATEMENT)]);
  return concurrentRound;
}

test("a statement and a transcript produce records that pass the schema", async () => {
  const [statement, transcript] = await concurrentRoundOnce();
  assertGoodResponse(statement!);
  assertGoodResponse(transcript!);
});

test("concurrent requests beyond the sequences are queued and all answered", async () => {
  const responses = await concurrentRoundOnce();
  assert.equal(responses.length, 3);
  for (const r of responses) assertGoodResponse(r);
  assert.ok(
    responses.some((r) => r.timings!.queueMs > 100),
    "one request waited for a sequence",
  );
  // A sequence's second request reuses the system prompt its first one evaluated.
  assert.ok(spans.getFinishedSpans().some((s) => Number(s.attributes["inference.prompt_cached_tokens"]) > 100));
});

test("a request over the queue limit is shed with RESOURCE_EXHAUSTED and a retry hint", async () => {
  const engine = sidecar.server.engine!;
  const controller = new AbortController();
  const running = [0, 1].map((i) => extract({ ...STATEMENT, id: `busy-${i}` }, { signal: controller.signal }));
  await waitFor(() => engine.stats().activeSequences === 2, 10_000, "both sequences busy");
  const queued = extract({ ...STATEMENT, id: "queued" }, { signal: controller.signal });
  await waitFor(() => engine.stats().queued === 1, 10_000, "one request queued");

  const started = Date.now();
  const shed = await grpcCode(extract({ ...STATEMENT, id: "shed" }));
  assert.equal(shed.code, grpc.status.RESOURCE_EXHAUSTED);
  assert.ok(Date.now() - started < 2000, "shed at once, not after waiting");
  const retryAfter = Number(shed.metadata.get(RETRY_AFTER_METADATA)[0]);
  assert.ok(retryAfter >= 100, `retry hint ${retryAfter}`);

  controller.abort();
  for (const call of [...running, queued]) assert.equal((await grpcCode(call)).code, grpc.status.CANCELLED);
  await waitFor(() => engine.stats().activeSequences === 0 && engine.stats().queued === 0, 10_000, "sequences released");
});

test("a cancelled request stops generating", async () => {
  const engine = sidecar.server.engine!;
  let steps = 0;
  const previous = engine.onStep;
  engine.onStep = (active) => {
    steps++;
    previous?.(active);
  };
  try {
    const controller = new AbortController();
    const call = extract({ ...TRANSCRIPT, id: "to-cancel" }, { signal: controller.signal });
    await waitFor(() => steps >= 3, 30_000, "generation to start");
    controller.abort();
    assert.equal((await grpcCode(call)).code, grpc.status.CANCELLED);
    // The sequence is released only after the generator stopped; then no token follows.
    await waitFor(() => engine.stats().activeSequences === 0, 5_000, "the sequence to be released");
    const stepsAtRelease = steps;
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(steps, stepsAtRelease);
    assert.ok(steps < 60, `stopped early (${steps} tokens)`);
  } finally {
    engine.onStep = previous;
  }
  await waitFor(
    () => spans.getFinishedSpans().some((s) => s.attributes["document.id"] === "to-cancel" && s.attributes["inference.outcome"] === "cancelled"),
    5_000,
    "the server to record the cancel",
  );
});

test("a deadline is honoured: DEADLINE_EXCEEDED on time and the work is dropped", async () => {
  const engine = sidecar.server.engine!;
  const started = Date.now();
  const error = await grpcCode(extract({ ...STATEMENT, id: "deadline" }, { deadlineMs: 1500 }));
  assert.equal(error.code, grpc.status.DEADLINE_EXCEEDED);
  assert.ok(Date.now() - started < 3000);
  await waitFor(() => engine.stats().activeSequences === 0, 5_000, "the sequence to be released");
  await waitFor(
    () => spans.getFinishedSpans().some((s) => s.attributes["document.id"] === "deadline" && s.attributes["inference.outcome"] === "deadline"),
    5_000,
    "the server to record the deadline",
  );
});

test("invalid requests get INVALID_ARGUMENT", async () => {
  const unspecified = await grpcCode(client.extract({ documentId: "x", kind: DocumentKind.UNSPECIFIED, text: "a" }));
  assert.equal(unspecified.code, grpc.status.INVALID_ARGUMENT);
  const huge = await grpcCode(extract({ ...STATEMENT, text: "x".repeat(MAX_DOCUMENT_CHARS + 1) }));
  assert.equal(huge.code, grpc.status.INVALID_ARGUMENT);
  assert.match(huge.details, /INFERENCE_MAX_DOCUMENT_CHARS/);
  const empty = await grpcCode(extract({ ...STATEMENT, text: "  " }));
  assert.equal(empty.code, grpc.status.INVALID_ARGUMENT);
});

test("each request has a span with queue, prompt and generation times and token counts, and metrics", async () => {
  const server = spans
    .getFinishedSpans()
    .find((s) => s.name === "liability.inference.v1.InferenceService/Extract" && s.attributes["inference.outcome"] === "ok");
  assert.ok(server, "a server span");
  for (const key of ["inference.queue_ms", "inference.prompt_ms", "inference.generation_ms", "inference.prompt_tokens", "inference.completion_tokens"]) {
    assert.equal(typeof server.attributes[key], "number", key);
  }
  const children = spans.getFinishedSpans().filter((s) => s.parentSpanContext?.spanId === server.spanContext().spanId);
  assert.deepEqual(children.map((s) => s.name).sort(), ["inference.generation", "inference.prompt", "inference.queue"]);

  const { resourceMetrics } = await metricReader.collect();
  const names = new Set(resourceMetrics.scopeMetrics.flatMap((s) => s.metrics.map((m) => m.descriptor.name)));
  for (const name of [
    "inference.requests",
    "inference.request.duration",
    "inference.tokens",
    "inference.queue.depth",
    "inference.batch.size",
    "inference.generation.tokens_per_second",
  ]) {
    assert.ok(names.has(name), name);
  }
});

test("SIGTERM drain: health NOT_SERVING, new calls refused, the running request finishes", async () => {
  const running = extract({ ...TRANSCRIPT, id: "during-drain" });
  await waitFor(() => sidecar.server.engine!.stats().activeSequences === 1, 10_000, "the request to start");
  const stopping = sidecar.stop();
  assert.equal(await healthStatus(), "NOT_SERVING");
  const refused = await grpcCode(extract({ ...STATEMENT, id: "after-drain" }));
  assert.equal(refused.code, grpc.status.UNAVAILABLE);
  assertGoodResponse(await running);
  await stopping;
  assert.equal(existsSync(unixSocketPath(address)), false, "socket removed");
});
