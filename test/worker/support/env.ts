import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { MetricReader } from "@opentelemetry/sdk-metrics";
import type { ResourceMetrics } from "@opentelemetry/sdk-metrics";
import { Partitioners } from "kafkajs";
import type { Consumer, Kafka, KafkaConfig, KafkaMessage } from "kafkajs";
import pg from "pg";
import { encodeDocumentReceived } from "@liability/contracts";
import { labelledDocumentSchema } from "@liability/domain";
import type { LabelledDocument } from "@liability/domain";
import { createLogger, startTelemetry } from "@liability/platform";
import type { Logger, Telemetry } from "@liability/platform";
import type { LabelledText } from "@liability/test-support";
import { createWorker, loadWorkerConfig } from "@liability/worker";
import type { Worker, WorkerConfig } from "@liability/worker";
import { createTestDatabase, createTestTopics, kafkaBrokers, testKafka, uniqueName } from "../../harness/index.ts";
import type { TestDatabase, TestTopicOptions } from "../../harness/index.ts";

export const examples: LabelledDocument[] = readFileSync(new URL("../../../../shared/spec/examples.jsonl", import.meta.url), "utf8")
  .trim()
  .split("\n")
  .map((line) => labelledDocumentSchema.parse(JSON.parse(line)));

/** The examples as FakeInferenceSidecar's labels: it answers each text with the record a perfect model emits. */
export const exampleLabels: LabelledText[] = examples.map((e) => ({ text: e.text, expected: e.expected! }));

/** A statement date inside every example's plausible window. */
export const RECEIVED_AT_MS = Date.parse("2026-04-20T12:00:00Z");

export interface TestDocument {
  id: string;
  tenantId: string;
  kind: "statement" | "call_transcript";
  text: string;
}

/** n documents cycling through the labelled examples, each with its own id. */
export function documents(n: number, prefix = uniqueName("doc")): TestDocument[] {
  return Array.from({ length: n }, (_, i) => {
    const example = examples[i % examples.length]!;
    return { id: `${prefix}-${i}`, tenantId: "tenant-a", kind: example.kind, text: example.text };
  });
}

export interface EventOptions {
  format?: "binary" | "json";
  traceparent?: string;
  receivedAtMs?: number;
}

export function encodeEvent(doc: TestDocument, options: EventOptions = {}): { key: string; value: Buffer; headers: Record<string, string> } {
  const { value, contentType } = encodeDocumentReceived(
    {
      documentId: doc.id,
      tenantId: doc.tenantId,
      kind: doc.kind,
      sourceSystem: "worker-tests",
      receivedAtMs: options.receivedAtMs ?? RECEIVED_AT_MS,
      text: doc.text,
    },
    options.format,
  );
  const headers: Record<string, string> = { "content-type": contentType };
  if (options.traceparent) headers.traceparent = options.traceparent;
  return { key: doc.id, value, headers };
}

export interface RawMessage {
  key: string | null;
  value: Buffer | null;
  headers?: Record<string, string | Buffer>;
}

/** A test client of the local stack, or of `brokers` (a test's own cluster) where given. */
function kafkaOf(clientId: string, brokers?: readonly string[], overrides: Partial<KafkaConfig> = {}): Kafka {
  return testKafka(clientId, brokers ? { ...overrides, brokers: [...brokers] } : overrides);
}

/**
 * `brokers`: another cluster than the local stack's. The upstream producer is patient (about a
 * minute of retries), as a real one is: a broker's leaderships move only once the controller has
 * fenced it, which takes its session timeout after a crash.
 */
export async function produce(topic: string, messages: readonly RawMessage[], brokers?: readonly string[]): Promise<void> {
  const retry = { retries: 12, initialRetryTime: 300, maxRetryTime: 5_000 };
  const producer = kafkaOf("worker-test-producer", brokers, { retry }).producer({
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages: messages.map((m) => ({ key: m.key, value: m.value, headers: m.headers ?? {} })) });
  } finally {
    await producer.disconnect();
  }
}

/** Reads a topic from the beginning until `count` messages arrived (or the timeout), then stops. */
export async function readTopic(topic: string, count: number, timeoutMs = 20_000, brokers?: readonly string[]): Promise<KafkaMessage[]> {
  const consumer: Consumer = kafkaOf("worker-test-reader", brokers).consumer({ groupId: uniqueName("reader") });
  const seen: KafkaMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      void consumer.run({
        eachMessage: async ({ message }) => {
          seen.push(message);
          if (seen.length >= count) {
            clearTimeout(timer);
            // A little longer, to catch a message too many.
            setTimeout(resolve, 500);
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return seen;
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 30_000, intervalMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export async function query<R extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

export async function count(url: string, table: string, where = "true"): Promise<number> {
  const rows = await query<{ n: string }>(url, `SELECT count(*) AS n FROM ${table} WHERE ${where}`);
  return Number(rows[0]!.n);
}

/** A test's own topics, consumer group and database schema. */
export interface WorkerTestContext {
  topics: { documents: string; dlq: string; recorded: string };
  group: string;
  db: TestDatabase;
  /** The worker configuration for this context, as the worker would load it from the environment. */
  env(overrides?: Record<string, string>): Record<string, string>;
  config(overrides?: Record<string, string>): WorkerConfig;
  cleanup(): Promise<void>;
}

export async function workerTestContext(options: Pick<TestTopicOptions, "partitions" | "cluster"> = {}): Promise<WorkerTestContext> {
  const [topics, db] = await Promise.all([
    createTestTopics(3, { partitions: options.partitions ?? 3, prefix: "worker", cluster: options.cluster }),
    createTestDatabase(),
  ]);
  const [documentsTopic, dlq, recorded] = topics.topics as [string, string, string];
  const group = uniqueName("worker-group");
  const env = (overrides: Record<string, string> = {}) => ({
    KAFKA_BROKERS: (options.cluster?.brokers ?? kafkaBrokers).join(","),
    KAFKA_TOPIC_DOCUMENTS: documentsTopic,
    KAFKA_TOPIC_DLQ: dlq,
    KAFKA_TOPIC_LIABILITY_RECORDED: recorded,
    KAFKA_CONSUMER_GROUP: group,
    KAFKA_HEARTBEAT_INTERVAL_MS: "1000",
    KAFKA_SESSION_TIMEOUT_MS: "10000",
    DATABASE_URL: db.workerUrl,
    DATABASE_SCHEMA: db.schema,
    DATABASE_POOL_MAX: "4",
    INFERENCE_DEADLINE_MS: "5000",
    INFERENCE_RETRY_INITIAL_MS: "50",
    INFERENCE_RETRY_MAX_MS: "300",
    INFERENCE_BREAKER_HALF_OPEN_MS: "500",
    DEPENDENCY_PROBE_INTERVAL_MS: "300",
    OUTBOX_POLL_INTERVAL_MS: "200",
    // A crashed worker's leased outbox rows go to the next relay after this; short, so tests need not wait.
    OUTBOX_LEASE_MS: "5000",
    SHUTDOWN_GRACE_MS: "10000",
    LOG_LEVEL: process.env.LRE_TEST_LOG_LEVEL ?? "silent",
    ...overrides,
  });
  return {
    topics: { documents: documentsTopic, dlq, recorded },
    group,
    db,
    env,
    config: (overrides) => loadWorkerConfig(env(overrides)),
    cleanup: async () => {
      await Promise.allSettled([topics.cleanup(), db.cleanup()]);
    },
  };
}

class TestMetricReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

export interface TestTelemetry {
  spans(): ReadableSpan[];
  metrics(): Promise<ResourceMetrics>;
  shutdown(): Promise<void>;
}

let telemetry: (TestTelemetry & { inner: Telemetry }) | undefined;

/** In-memory spans and metrics for this test process (one set-up per process). */
export function testTelemetry(): TestTelemetry {
  if (telemetry) return telemetry;
  const exporter = new InMemorySpanExporter();
  const reader = new TestMetricReader();
  const inner = startTelemetry({
    serviceName: "lre-worker-test",
    config: { OTEL_METRIC_EXPORT_INTERVAL_MS: 60_000 },
    spanProcessors: [new SimpleSpanProcessor(exporter)],
    metricReaders: [reader],
  });
  telemetry = {
    inner,
    spans: () => exporter.getFinishedSpans(),
    metrics: async () => (await reader.collect()).resourceMetrics,
    shutdown: () => inner.shutdown(),
  };
  return telemetry;
}

/** Sum of a counter's data points whose attributes include `match`. */
export function counterValue(metrics: ResourceMetrics, name: string, match: Record<string, string> = {}): number {
  let total = 0;
  for (const scope of metrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      if (metric.descriptor.name !== name) continue;
      for (const point of metric.dataPoints) {
        if (Object.entries(match).every(([k, v]) => point.attributes[k] === v)) total += Number(point.value);
      }
    }
  }
  return total;
}

export function testLogger(): Logger {
  return createLogger({ service: "lre-worker-test", level: (process.env.LRE_TEST_LOG_LEVEL as "info" | undefined) ?? "silent" });
}

/** Starts a worker in this process; stop it with worker.stop(). */
export async function startWorker(config: WorkerConfig): Promise<Worker> {
  const worker = createWorker(config, testLogger());
  await worker.start();
  return worker;
}

/** W3C traceparent with a fresh random trace id. */
export function newTraceparent(): { traceparent: string; traceId: string } {
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(Math.random() * 16).toString(16)).join("");
  const traceId = hex(32);
  return { traceId, traceparent: `00-${traceId}-${hex(16)}-01` };
}

/** The consumer group's committed offset per partition of `topic` (0 where none is committed). */
export async function committedOffsetsByPartition(group: string, topic: string, brokers?: readonly string[]): Promise<Map<number, number>> {
  const admin = kafkaOf("offsets-reader", brokers).admin();
  await admin.connect();
  try {
    const [offsets] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    return new Map(offsets!.partitions.map((p) => [p.partition, Math.max(0, Number(p.offset))]));
  } finally {
    await admin.disconnect();
  }
}

/** Reads `topic` until `expected` messages arrived (and a moment more) and asserts one per key: one event per record, none twice. */
export async function assertOneEventPerKey(topic: string, expected: number, brokers?: readonly string[]): Promise<void> {
  const counts = new Map<string, number>();
  for (const message of await readTopic(topic, expected, 30_000, brokers)) {
    const key = message.key?.toString() ?? "";
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  assert.equal(counts.size, expected, "an event for every record");
  assert.deepEqual(
    [...counts].filter(([, n]) => n > 1),
    [],
    "no event published twice",
  );
}

/**
 * Waits until `group` has committed `total` offsets on `topic`, then asserts that every message
 * below each partition's committed offset has its record (rows as liability_records stores them).
 */
export async function assertCommittedOffsetsBacked(
  group: string,
  topic: string,
  total: number,
  records: readonly { kafka_partition: number; kafka_offset: string }[],
  brokers?: readonly string[],
): Promise<void> {
  const committed = await waitFor(
    "offsets committed",
    async () => {
      const byPartition = await committedOffsetsByPartition(group, topic, brokers);
      return [...byPartition.values()].reduce((a, b) => a + b, 0) === total ? byPartition : undefined;
    },
    30_000,
    500,
  );
  for (const [partition, offset] of committed) {
    const backed = records.filter((r) => r.kafka_partition === partition && Number(r.kafka_offset) < offset).length;
    assert.equal(backed, offset, `partition ${partition}: every message below committed offset ${offset} has its record`);
  }
}

/** The consumer group's committed offsets on `topic`, summed over its partitions. */
export async function committedOffsets(group: string, topic: string): Promise<number> {
  return [...(await committedOffsetsByPartition(group, topic)).values()].reduce((sum, n) => sum + n, 0);
}

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
