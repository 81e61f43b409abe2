import { metrics } from "@opentelemetry/api";
import type { Counter, Histogram, Meter } from "@opentelemetry/api";
import type { Measurement } from "./core/measurements.ts";
import type { OutboxBacklog, PoolStats } from "./store.ts";

/** What the store-backed gauges read; observed when metrics are collected (a scrape), not on a timer. */
export interface StoreGaugeSource {
  poolStats(): PoolStats;
  openReviewItems(): Promise<number>;
}

/**
 * The worker's instruments. They go to whichever MeterProvider the platform telemetry
 * registered (OTLP in deployments, an in-memory reader in tests).
 */
export class WorkerMetrics {
  /** Every document handled, by outcome: accepted, review, dead_lettered, duplicate. */
  readonly processed: Counter;
  readonly accepted: Counter;
  readonly review: Counter;
  /** Review reasons by rule code, to see which rules fire. */
  readonly reviewReasons: Counter;
  readonly deadLettered: Counter;
  /** Extract retries by gRPC status. */
  readonly retries: Counter;
  /** Event timestamp to database commit, milliseconds. */
  readonly endToEndLatency: Histogram;
  readonly batchSize: Histogram;
  /** OpenTelemetry messaging conventions: messages taken from Kafka, and how long a batch took, seconds. */
  readonly consumedMessages: Counter;
  readonly processDuration: Histogram;
  readonly outboxPublished: Counter;
  readonly outboxParked: Counter;
  readonly pauses: Counter;
  #outbox: OutboxBacklog = { waiting: 0, parked: 0, oldestAgeSeconds: 0 };
  readonly #lag = new Map<string, number>();
  #paused = 0;
  readonly #meter: Meter;

  constructor(meter: Meter = metrics.getMeter("@liability/worker")) {
    this.#meter = meter;
    this.processed = meter.createCounter("lre.worker.documents.processed", { description: "documents handled, by outcome" });
    this.accepted = meter.createCounter("lre.worker.documents.accepted", { description: "records accepted" });
    this.review = meter.createCounter("lre.worker.documents.review", { description: "records sent to review" });
    this.reviewReasons = meter.createCounter("lre.worker.review.reasons", { description: "review reasons by rule" });
    this.deadLettered = meter.createCounter("lre.worker.documents.dead_lettered", {
      description: "messages sent to the dead-letter topic, by reason",
    });
    this.retries = meter.createCounter("lre.worker.inference.retries", { description: "Extract retries, by gRPC status" });
    this.endToEndLatency = meter.createHistogram("lre.worker.end_to_end.latency", {
      description: "event timestamp to database commit",
      unit: "ms",
      // 2000 is the latency objective's threshold (deploy/monitoring/alerts.yaml).
      advice: { explicitBucketBoundaries: [25, 50, 100, 150, 200, 300, 500, 1000, 2000, 5000, 10_000, 30_000, 60_000] },
    });
    this.batchSize = meter.createHistogram("lre.worker.batch.size", { description: "messages per Kafka batch" });
    this.consumedMessages = meter.createCounter("messaging.client.consumed.messages", { description: "messages delivered to the worker", unit: "{message}" });
    this.processDuration = meter.createHistogram("messaging.process.duration", {
      description: "time to handle one Kafka batch, fetch to commit",
      unit: "s",
      advice: { explicitBucketBoundaries: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] },
    });
    this.outboxPublished = meter.createCounter("lre.worker.outbox.published", { description: "outbox events published" });
    this.outboxParked = meter.createCounter("lre.worker.outbox.parked", { description: "outbox rows parked after failing on their own" });
    meter
      .createObservableGauge("lre.worker.outbox.backlog", { description: "outbox rows waiting to be published" })
      .addCallback((result) => result.observe(this.#outbox.waiting));
    meter
      .createObservableGauge("lre.worker.outbox.oldest_age", { description: "age of the oldest outbox row waiting", unit: "s" })
      .addCallback((result) => result.observe(this.#outbox.oldestAgeSeconds));
    meter
      .createObservableGauge("lre.worker.outbox.parked_rows", { description: "outbox rows parked for a person" })
      .addCallback((result) => result.observe(this.#outbox.parked));
    this.pauses = meter.createCounter("lre.worker.consumer.pauses", { description: "consumption pauses, by dependency" });
    meter.createObservableGauge("lre.worker.consumer.lag", { description: "messages behind the high watermark, per partition" }).addCallback((result) => {
      for (const [key, lag] of this.#lag) {
        const [topic, partition] = key.split("|");
        result.observe(lag, { topic, partition: Number(partition) });
      }
    });
    meter
      .createObservableGauge("lre.worker.consumer.paused", { description: "1 while consumption is paused" })
      .addCallback((result) => result.observe(this.#paused));
  }

  /**
   * Gauges read from the database side: the connection pool under OpenTelemetry's db.client.connection
   * names, and the review queue's depth (one count per collection; every worker reports the same
   * global figure, so dashboards take max, not sum).
   */
  watchStore(source: StoreGaugeSource, poolName: string): void {
    const pool = { "db.client.connection.pool.name": poolName };
    const connections = this.#meter.createObservableUpDownCounter("db.client.connection.count", {
      description: "connections of the pool, by state",
      unit: "{connection}",
    });
    const max = this.#meter.createObservableUpDownCounter("db.client.connection.max", { description: "most connections the pool opens", unit: "{connection}" });
    const pending = this.#meter.createObservableUpDownCounter("db.client.connection.pending_requests", {
      description: "queries waiting for a connection",
      unit: "{request}",
    });
    // One reading of the pool per collection for all three instruments.
    this.#meter.addBatchObservableCallback(
      (result) => {
        const stats = source.poolStats();
        result.observe(connections, stats.idle, { ...pool, "db.client.connection.state": "idle" });
        result.observe(connections, stats.used, { ...pool, "db.client.connection.state": "used" });
        result.observe(max, stats.max, pool);
        result.observe(pending, stats.pending, pool);
      },
      [connections, max, pending],
    );
    this.#meter
      .createObservableGauge("lre.review_queue.depth", { description: "review items not yet resolved (all tenants)", unit: "{item}" })
      .addCallback(async (result) => {
        // A failed count leaves the series out of this scrape rather than reporting a false 0.
        const depth = await source.openReviewItems().catch(() => undefined);
        if (depth !== undefined) result.observe(depth);
      });
  }

  /** Applies a metric change the core decided on. */
  apply(measurement: Measurement): void {
    if (measurement.type === "count") this[measurement.counter].add(1, measurement.attributes);
    else this.endToEndLatency.record(measurement.ms, measurement.attributes);
  }

  recordLag(topic: string, partition: number, lag: number): void {
    this.#lag.set(`${topic}|${partition}`, lag);
  }

  setOutboxBacklog(backlog: OutboxBacklog): void {
    this.#outbox = backlog;
  }

  setPaused(paused: boolean): void {
    this.#paused = paused ? 1 : 0;
  }
}
