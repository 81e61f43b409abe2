import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import type { Logger } from "@liability/platform";
import type { MessageProducer, OutboundMessage } from "./core/messaging.ts";
import type { WorkerMetrics } from "./metrics.ts";
import type { OutboxRow } from "./store.ts";
import { traceHeaders, tracer } from "./tracing.ts";

export interface OutboxSource {
  relayOutbox(limit: number, publish: (rows: OutboxRow[]) => Promise<void>): Promise<number>;
}

export interface OutboxRelayOptions {
  source: OutboxSource;
  producer: MessageProducer;
  batchSize: number;
  pollIntervalMs: number;
  logger: Logger;
  metrics: WorkerMetrics;
}

/**
 * Publishes committed outbox rows to Kafka. A row exists only once its record is
 * committed, and it is marked published only after Kafka acknowledged it, so an event is
 * never published for an uncommitted record and never lost for a committed one; a crash
 * between the two publishes it again (at least once, keyed by document id).
 */
export class OutboxRelay {
  readonly #o: OutboxRelayOptions;
  #running = false;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #pending = false;

  constructor(options: OutboxRelayOptions) {
    this.#o = options;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run();
  }

  /** New rows were committed: publish now rather than at the next poll. */
  wake(): void {
    this.#pending = true;
    this.#wake?.();
  }

  /** Publishes what is committed so far (one last pass), then stops. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#wake?.();
    await this.#loop;
    await this.#drainOnce().catch((err: unknown) => this.#o.logger.warn({ err }, "final outbox pass failed; rows stay for the next start"));
  }

  async #run(): Promise<void> {
    let failures = 0;
    while (this.#running) {
      this.#pending = false;
      let published = 0;
      try {
        published = await this.#drainOnce();
        failures = 0;
      } catch (err) {
        failures += 1;
        this.#o.logger.warn({ err, failures }, "outbox relay failed; will retry");
      }
      if (published >= this.#o.batchSize || (this.#pending && failures === 0)) continue;
      const delay = failures === 0 ? this.#o.pollIntervalMs : Math.min(this.#o.pollIntervalMs * 2 ** failures, 10_000);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
    }
  }

  #drainOnce(): Promise<number> {
    return this.#o.source.relayOutbox(this.#o.batchSize, (rows) => this.#publish(rows));
  }

  async #publish(rows: OutboxRow[]): Promise<void> {
    // Rows are in commit (id) order; consecutive rows for one topic go out in one request.
    let i = 0;
    while (i < rows.length) {
      const topic = rows[i]!.topic;
      const group: OutboxRow[] = [];
      while (i < rows.length && rows[i]!.topic === topic) group.push(rows[i++]!);
      const spans = group.map((row) =>
        tracer.startSpan(
          `${topic} publish`,
          {
            kind: SpanKind.PRODUCER,
            attributes: { "messaging.system": "kafka", "messaging.operation.type": "send", "messaging.destination.name": topic },
          },
          // The span continues the trace of the document whose record this event announces.
          propagation.extract(ROOT_CONTEXT, row.headers),
        ),
      );
      const messages: OutboundMessage[] = group.map((row, k) => ({
        key: row.key,
        value: row.payload,
        headers: { ...row.headers, ...traceHeaders(trace.setSpan(context.active(), spans[k]!)) },
      }));
      try {
        await this.#o.producer.send(topic, messages);
        this.#o.metrics.outboxPublished.add(group.length, { topic });
      } catch (error) {
        for (const s of spans) s.setStatus({ code: SpanStatusCode.ERROR, message: "publish failed" });
        throw error;
      } finally {
        for (const s of spans) s.end();
      }
    }
  }
}
