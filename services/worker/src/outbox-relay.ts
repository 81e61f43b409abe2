import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import type { Logger } from "@liability/platform";
import { PartialSendError } from "./core/messaging.ts";
import type { MessageProducer, OutboundMessage } from "./core/messaging.ts";
import type { WorkerMetrics } from "./metrics.ts";
import type { OutboxBacklog, OutboxRow } from "./store.ts";
import { traceHeaders, tracer } from "./tracing.ts";

/** The outbox table, as the relay sees it (WorkerStore implements it). */
export interface OutboxSource {
  claimOutbox(limit: number, leaseMs: number): Promise<OutboxRow[]>;
  markPublished(ids: readonly string[]): Promise<void>;
  releaseOutbox(ids: readonly string[], failure?: { error: string; maxAttempts: number }): Promise<string[]>;
  outboxBacklog(): Promise<OutboxBacklog>;
  pruneOutbox(olderThanMs: number, maxRows: number): Promise<number>;
}

export interface OutboxRelayOptions {
  source: OutboxSource;
  producer: MessageProducer;
  batchSize: number;
  pollIntervalMs: number;
  /** How long a claimed row is the relay's before another may take it. */
  leaseMs: number;
  /** Failures of a row itself (while the row after it went out) before it is parked. */
  maxAttempts: number;
  /** Published rows older than this are deleted. */
  retentionMs: number;
  pruneIntervalMs: number;
  logger: Logger;
  metrics: WorkerMetrics;
}

/** Rows deleted per prune call, so that one call stays short. */
const PRUNE_CHUNK = 10_000;

/**
 * Publishes committed outbox rows to Kafka. A row exists only once its record is
 * committed, and it is marked published only after Kafka acknowledged it, so an event is
 * never published for an uncommitted record and never lost for a committed one; a crash
 * between the two publishes it again (at least once, keyed by document id).
 *
 * Rows are leased, not locked, while Kafka is called. When a batch fails the relay isolates:
 * it sends the oldest row alone, and if that fails, the row after it. The next one going out
 * means the oldest row itself is the problem (too large, a topic that refuses it): its attempt
 * is counted, and after maxAttempts it is parked with the error, so one bad row never blocks
 * the rest. Both failing means Kafka is away: nothing is counted, the relay backs off. Rows a
 * failed send did write (PartialSendError: the partitions of a live leader, when another broker
 * died) are marked published all the same, so a broker's loss publishes nothing twice.
 */
export class OutboxRelay {
  readonly #o: OutboxRelayOptions;
  #running = false;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #pending = false;
  #isolating = false;
  #lastPrune = 0;

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
      await this.#housekeeping();
      if (published >= this.#o.batchSize || (this.#isolating && failures === 0) || (this.#pending && failures === 0)) continue;
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

  /** One pass: a batch, or while isolating the oldest row and the one after it. Returns rows published. */
  async #drainOnce(): Promise<number> {
    const { source } = this.#o;
    const rows = await source.claimOutbox(this.#isolating ? 2 : this.#o.batchSize, this.#o.leaseMs);
    if (rows.length === 0) {
      this.#isolating = false;
      return 0;
    }
    if (!this.#isolating) {
      const { published, error } = await this.#publish(rows);
      // What Kafka acknowledged is marked even when the rest failed: sent again, it would be published twice.
      if (published.length > 0) await source.markPublished(ids(published));
      if (error === undefined) return rows.length;
      await source.releaseOutbox(ids(rows.filter((r) => !published.includes(r))));
      this.#isolating = true;
      throw error;
    }
    const [oldest, next] = rows as [OutboxRow, OutboxRow | undefined];
    const { error: oldestError } = await this.#publish([oldest]);
    if (oldestError !== undefined) {
      // Alone, a failing row tells nothing: it may be Kafka that is away.
      if (next === undefined) {
        await source.releaseOutbox(ids(rows));
        throw oldestError;
      }
      const { error } = await this.#publish([next]);
      if (error !== undefined) {
        await source.releaseOutbox(ids(rows));
        throw error;
      }
      await source.markPublished([next.id]);
      const message = (oldestError as Error).message ?? String(oldestError);
      const parked = await source.releaseOutbox([oldest.id], { error: message, maxAttempts: this.#o.maxAttempts });
      if (parked.length > 0) {
        this.#o.logger.error(
          { outboxId: oldest.id, topic: oldest.topic, reason: message },
          "outbox row parked: it keeps failing while the rows after it go out",
        );
        this.#o.metrics.outboxParked.add(1, { topic: oldest.topic });
      } else {
        this.#o.logger.warn({ outboxId: oldest.id, topic: oldest.topic, reason: message }, "outbox row failed while the next one went out");
      }
      return 1;
    }
    await source.markPublished([oldest.id]);
    if (next !== undefined) await source.releaseOutbox([next.id]);
    this.#isolating = false;
    return 1;
  }

  /** Backlog gauges on every pass; published rows pruned now and then. Failures here only log. */
  async #housekeeping(): Promise<void> {
    try {
      this.#o.metrics.setOutboxBacklog(await this.#o.source.outboxBacklog());
      const now = Date.now();
      if (now - this.#lastPrune >= this.#o.pruneIntervalMs) {
        this.#lastPrune = now;
        const pruned = await this.#o.source.pruneOutbox(this.#o.retentionMs, PRUNE_CHUNK);
        if (pruned > 0) this.#o.logger.info({ pruned }, "published outbox rows pruned");
      }
    } catch (err) {
      this.#o.logger.warn({ err }, "outbox housekeeping failed; will retry");
    }
  }

  /** Sends rows in order; stops at the first failure and says which rows Kafka acknowledged. */
  async #publish(rows: OutboxRow[]): Promise<{ published: OutboxRow[]; error?: unknown }> {
    const published: OutboxRow[] = [];
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
        published.push(...group);
      } catch (error) {
        const written = error instanceof PartialSendError ? error.written : new Set<number>();
        group.forEach((row, k) => {
          if (written.has(k)) published.push(row);
          else spans[k]!.setStatus({ code: SpanStatusCode.ERROR, message: "publish failed" });
        });
        if (written.size > 0) this.#o.metrics.outboxPublished.add(written.size, { topic });
        return { published, error };
      } finally {
        for (const s of spans) s.end();
      }
    }
    return { published };
  }
}

function ids(rows: readonly OutboxRow[]): string[] {
  return rows.map((r) => r.id);
}
