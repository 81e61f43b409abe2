import { metrics } from "@opentelemetry/api";
import type { Counter, Histogram, Meter } from "@opentelemetry/api";
import type { Measurement } from "./core/measurements.ts";
import type { OutboxBacklog } from "./store.ts";

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
  readonly batchDuration: Histogram;
  readonly outboxPublished: Counter;
  readonly outboxParked: Counter;
  readonly pauses: Counter;
  #outbox: OutboxBacklog = { waiting: 0, parked: 0, oldestAgeSeconds: 0 };
  readonly #lag = new Map<string, number>();
  #paused = 0;

  constructor(meter: Meter = metrics.getMeter("@liability/worker")) {
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
    });
    this.batchSize = meter.createHistogram("lre.worker.batch.size", { description: "messages per Kafka batch" });
    this.batchDuration = meter.createHistogram("lre.worker.batch.duration", { unit: "ms" });
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
