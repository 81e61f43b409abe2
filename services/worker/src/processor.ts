import { context, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import type { Context, Span } from "@opentelemetry/api";
import type { ExtractResponse } from "@liability/contracts";
import { reasonCode } from "@liability/domain";
import type { ValidationPolicy, ValidationResult } from "@liability/domain";
import type { Logger } from "@liability/platform";
import { batchResult, batchWrite, committablePrefix, deadLetterMessage, outcomeAfterWrite, rejectedByDatabase } from "./core/batch.ts";
import type { BatchEntry, BatchWrite } from "./core/batch.ts";
import { decodeDocumentReceived } from "./core/decode.ts";
import type { DecodeLimits, DecodedDocument } from "./core/decode.ts";
import { deadLetterReasonName } from "./core/events.ts";
import { measurementsOf } from "./core/measurements.ts";
import type { BatchContext, BatchResult, InboundBatch, InboundMessage, MessageProducer } from "./core/messaging.ts";
import { documentKeysToCheck, endedInTimeout, outcomeOfExtraction, repeatOutcome, timedOutTooOften, triage } from "./core/outcome.ts";
import type { Outcome, RecordOrigin } from "./core/outcome.ts";
import { keyOf, RowsRejectedError } from "./core/ports.ts";
import type { Dependency, ExtractOutcome, Extractor, RecordStore } from "./core/ports.ts";
import { validateAnswer } from "./core/validation.ts";
import type { WorkerMetrics } from "./metrics.ts";
import { contextFromKafkaHeaders, traceHeaders, traceIdOf, tracer } from "./tracing.ts";

export interface ProcessorOptions {
  store: RecordStore;
  extractor: Extractor;
  producer: MessageProducer;
  policy: ValidationPolicy;
  /** Share of accepted records also sent to review as shadow items. */
  reviewShadowShare: number;
  limits: DecodeLimits;
  /** Timed-out sidecar calls (over all deliveries) after which a document alone is dead-lettered. */
  maxDocumentTimeouts: number;
  topics: { dlq: string; recorded: string };
  heartbeatIntervalMs: number;
  logger: Logger;
  metrics: WorkerMetrics;
  /** A dependency failed: stop consuming until it is back. */
  onDependencyDown(dependency: Dependency): void;
  /** New outbox rows were committed: the relay can publish now instead of at its next poll. */
  onCommitted(): void;
}

/** One message of the batch in flight: the core's view of it plus its processing span. */
interface Item extends BatchEntry {
  readonly span: Span;
  readonly context: Context;
  outcome: Outcome | undefined;
}

/** A document the sidecar could not take, and when its call began (performance.now()). */
interface Unavailable {
  readonly item: Item;
  readonly document: DecodedDocument;
  readonly extraction: ExtractOutcome;
  readonly startedAt: number;
}

/**
 * Turns one Kafka batch into one database transaction. The decisions are the core's
 * (src/core: pure functions over its ports); this shell does the I/O, spans and metrics
 * around them, in the order of effects that makes the pipeline exactly-once in effect:
 *   1. decode and check every message (bad ones become dead letters, never exceptions);
 *   2. skip documents already recorded (redeliveries cost no inference);
 *   3. extract and validate the rest, with bounded concurrency;
 *   4. write records, review entries, attempt audit and outbox events in one transaction;
 *   5. publish dead letters;
 *   6. report the last offset that is fully handled — only then is it committed.
 * When a dependency fails, everything from the first unfinished message on is left
 * uncommitted for redelivery and consumption pauses; nothing is skipped or dead-lettered
 * because of an outage.
 */
export class BatchProcessor {
  readonly #o: ProcessorOptions;
  /** When the sidecar last answered a document (performance.now()): tells a slow document from a slow sidecar. */
  #lastAnswerAt = Number.NEGATIVE_INFINITY;

  constructor(options: ProcessorOptions) {
    this.#o = options;
  }

  async handle(batch: InboundBatch, ctx: BatchContext): Promise<BatchResult> {
    const { metrics, logger } = this.#o;
    const started = performance.now();
    const conventions = { "messaging.system": "kafka", "messaging.destination.name": batch.topic, "messaging.operation.name": "process" };
    metrics.batchSize.record(batch.messages.length, { topic: batch.topic });
    metrics.consumedMessages.add(batch.messages.length, conventions);
    metrics.recordLag(batch.topic, batch.partition, batch.lag);

    const items = batch.messages.map((message) => this.#open(message));
    // A failed heartbeat means the group is rebalancing (or this member was dropped): the
    // partition may be moving to another worker, which waits until this one lets go. The
    // batch then stops early: what is finished is written, the rest is left for the new owner.
    const rebalance = new AbortController();
    const heartbeat = setInterval(() => {
      ctx.heartbeat().catch((err: unknown) => {
        if (!rebalance.signal.aborted)
          logger.info({ err: (err as Error).message, partition: batch.partition }, "rebalance under way; finishing the batch early");
        rebalance.abort();
      });
    }, this.#o.heartbeatIntervalMs);
    heartbeat.unref();
    try {
      return await this.#process(batch, items, ctx, rebalance.signal);
    } catch (error) {
      // A bug, not an outage; still nothing may be skipped: pause, then redeliver.
      logger.error({ err: error, topic: batch.topic, partition: batch.partition }, "batch failed unexpectedly");
      this.#o.onDependencyDown("internal");
      for (const item of items) item.span.setStatus({ code: SpanStatusCode.ERROR, message: "batch failed" });
      return { processedThrough: null, pause: true };
    } finally {
      clearInterval(heartbeat);
      for (const item of items) item.span.end();
      metrics.processDuration.record((performance.now() - started) / 1000, conventions);
    }
  }

  #open(message: InboundMessage): Item {
    const parent = contextFromKafkaHeaders(message.headers);
    const span = tracer.startSpan(
      `${message.topic} process`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          "messaging.system": "kafka",
          "messaging.operation.type": "process",
          "messaging.destination.name": message.topic,
          "messaging.destination.partition.id": String(message.partition),
          "messaging.kafka.offset": Number(message.offset),
        },
      },
      parent,
    );
    const spanContext = trace.setSpan(parent, span);
    const decoded = context.with(spanContext, () => decodeDocumentReceived(message, this.#o.limits));
    if (decoded.ok) span.setAttribute("document.id", decoded.documentId);
    return { message, span, context: spanContext, decoded, outcome: undefined, traceId: traceIdOf(span) };
  }

  async #process(batch: InboundBatch, items: Item[], ctx: BatchContext, rebalancing: AbortSignal): Promise<BatchResult> {
    const { logger } = this.#o;
    const decoded = items.map((i) => i.decoded);
    let recorded: Map<string, string | null>;
    try {
      recorded = await this.#o.store.recordedDocuments(documentKeysToCheck(decoded));
    } catch (error) {
      logger.warn({ err: error }, "database unavailable before processing; pausing");
      this.#o.onDependencyDown("database");
      return { processedThrough: null, pause: true };
    }

    const toExtract: { item: Item; document: DecodedDocument }[] = [];
    const repeats: { item: Item; of: Item }[] = [];
    triage(decoded, recorded).forEach((triaged, index) => {
      const item = items[index]!;
      if (triaged.type === "extract") toExtract.push({ item, document: triaged.document });
      else if (triaged.type === "repeat") repeats.push({ item, of: items[triaged.of]! });
      else item.outcome = triaged;
    });
    const sidecarDown = await this.#extract(toExtract, AbortSignal.any([ctx.signal, rebalancing]));
    for (const { item, of } of repeats) item.outcome = repeatOutcome(of.outcome);

    const committable = committablePrefix(items.map((i) => i.outcome));
    const done = items.slice(0, committable);
    for (const item of items.slice(committable)) item.span.setAttribute("worker.deferred", true);

    let write: BatchWrite;
    try {
      write = await this.#writeSettingAsideRejected(items, committable, repeats);
    } catch (error) {
      // A refusal left after the refused rows were set aside is a bug, not an outage (handle pauses).
      if (error instanceof RowsRejectedError) throw error;
      logger.warn({ err: error, topic: batch.topic, partition: batch.partition }, "database write failed; pausing");
      this.#o.onDependencyDown("database");
      return { processedThrough: null, pause: true };
    }
    if (write.records.length > 0) this.#o.onCommitted();

    try {
      await this.#deadLetter(done);
    } catch (error) {
      // Written records stay written (and are skipped on redelivery); the dead letters are
      // sent again then, which DLQ consumers recognise by the original coordinates.
      logger.warn({ err: error }, "dead-letter publish failed; pausing");
      this.#o.onDependencyDown("kafka");
      return { processedThrough: null, pause: true };
    }

    this.#count(done);
    if (sidecarDown) this.#o.onDependencyDown("inference");
    // An outage asks for a pause; a shutdown or a rebalance abandons work without one.
    return batchResult(batch.messages, committable, ctx.signal.aborted || rebalancing.aborted);
  }

  /** Extracts and decides each document; true when the sidecar was found down. */
  async #extract(toExtract: readonly { item: Item; document: DecodedDocument }[], abandon: AbortSignal): Promise<boolean> {
    // The batch stops at the first document the sidecar could not take; the others in
    // flight are abandoned rather than left retrying against a dead sidecar.
    const stopBatch = new AbortController();
    const signal = AbortSignal.any([stopBatch.signal, abandon]);
    const unavailable: Unavailable[] = [];
    await Promise.all(
      toExtract.map(async ({ item, document }) => {
        const request = { documentId: document.documentId, kind: document.kind, text: document.text };
        const startedAt = performance.now();
        const extraction = await context.with(item.context, () => this.#o.extractor.extract(request, signal));
        if (extraction.kind === "ok") this.#lastAnswerAt = performance.now();
        if (extraction.kind === "unavailable") {
          unavailable.push({ item, document, extraction, startedAt });
          stopBatch.abort();
        }
        const outcome = context.with(item.context, () =>
          outcomeOfExtraction(document, extraction, (response) => this.#validate(document, response), this.#origin(item)),
        );
        if (outcome.type === "record") item.span.setAttribute("record.status", outcome.row.status);
        item.outcome = outcome;
      }),
    );
    return this.#setAsideTimedOut(unavailable);
  }

  /**
   * Documents whose calls ran out of time while the sidecar answered others (in this worker,
   * after the call began) and that have done so too often are dead-lettered instead of being
   * left pending; true when a document is still pending because the sidecar is down.
   */
  async #setAsideTimedOut(unavailable: readonly Unavailable[]): Promise<boolean> {
    const suspects = unavailable.filter((u) => endedInTimeout(u.extraction) && this.#lastAnswerAt > u.startedAt);
    if (suspects.length === 0) return unavailable.length > 0;
    let earlier: Map<string, number>;
    try {
      earlier = await this.#o.store.timedOutCalls(suspects.map((s) => s.document));
    } catch (error) {
      this.#o.logger.warn({ err: error }, "could not read the attempt audit; timed-out documents stay pending");
      return true;
    }
    let setAside = 0;
    for (const u of suspects) {
      const poison = timedOutTooOften(u.document, u.extraction, earlier.get(keyOf(u.document)) ?? 0, this.#o.maxDocumentTimeouts);
      if (!poison) continue;
      this.#o.logger.warn({ documentId: u.document.documentId, detail: poison.poison.detail }, "document keeps timing out; dead-lettering it");
      u.item.outcome = poison;
      setAside += 1;
    }
    return setAside < unavailable.length;
  }

  #origin(item: Item): RecordOrigin {
    return {
      message: item.message,
      traceId: item.traceId,
      traceHeaders: traceHeaders(item.context),
      recordedTopic: this.#o.topics.recorded,
      recordedAtMs: Date.now(),
      reviewShadowShare: this.#o.reviewShadowShare,
    };
  }

  #validate(document: DecodedDocument, response: ExtractResponse): ValidationResult {
    return tracer.startActiveSpan("validate extraction", (span): ValidationResult => {
      const verdict = validateAnswer(document, response, this.#o.policy);
      if (verdict.type === "validated") {
        span.setAttributes({ "validation.status": verdict.result.status, "validation.reasons": verdict.result.reasons.map(reasonCode) });
      } else {
        this.#o.logger.error({ err: verdict.error, documentId: document.documentId }, "validation failed");
        span.setStatus({ code: SpanStatusCode.ERROR, message: "validation failed" });
      }
      span.end();
      return verdict.result;
    });
  }

  /**
   * Writes the finished messages. A row that PostgreSQL refuses as data would fail its batch on
   * every redelivery and stall the partition: it is found (store.rejectedRecords), dead-lettered
   * with the database's reason, and the rest is written without it.
   */
  async #writeSettingAsideRejected(items: Item[], committable: number, repeats: readonly { item: Item; of: Item }[]): Promise<BatchWrite> {
    const done = items.slice(0, committable);
    const write = batchWrite(items, committable);
    try {
      await this.#write(done, write);
      return write;
    } catch (error) {
      if (!(error instanceof RowsRejectedError)) throw error;
      const rejected = await this.#o.store.rejectedRecords(write.records, write.attempts);
      if (rejected.size === 0) throw error;
      for (const item of done) {
        const outcome = item.outcome;
        const detail = outcome?.type === "record" ? rejected.get(keyOf(outcome.row)) : undefined;
        if (outcome?.type !== "record" || detail === undefined) continue;
        this.#o.logger.warn({ documentId: outcome.row.documentId, reason: detail }, "database refused the record as data; dead-lettering it");
        item.outcome = rejectedByDatabase(outcome, detail);
      }
      // A copy of a refused document is refused with it, not a duplicate of a record that never was.
      for (const { item, of } of repeats) item.outcome = repeatOutcome(of.outcome);
      const rest = batchWrite(items, committable);
      await this.#write(done, rest);
      return rest;
    }
  }

  async #write(done: Item[], write: BatchWrite): Promise<void> {
    if (write.records.length === 0 && write.attempts.length === 0) return;
    // One span per document, child of its processing span, so that each document's trace
    // shows the write; one batch span linking them all shows the transaction itself.
    const perDocument = done
      .filter((i) => i.outcome?.type === "record")
      .map((i) => tracer.startSpan("liability_records upsert", { kind: SpanKind.CLIENT, attributes: { "db.system.name": "postgresql" } }, i.context));
    const batchSpan = tracer.startSpan("write batch", {
      kind: SpanKind.CLIENT,
      attributes: { "db.system.name": "postgresql", "db.operation.batch.size": write.records.length },
      links: perDocument.map((s) => ({ context: s.spanContext() })),
    });
    try {
      const inserted = await this.#o.store.writeBatch(write.records, write.attempts);
      for (const item of done) item.outcome = outcomeAfterWrite(item.outcome, inserted);
    } catch (error) {
      for (const s of [...perDocument, batchSpan]) s.setStatus({ code: SpanStatusCode.ERROR, message: "write failed" });
      throw error;
    } finally {
      for (const s of [...perDocument, batchSpan]) s.end();
    }
  }

  async #deadLetter(done: Item[]): Promise<void> {
    const now = Date.now();
    const letters = done.flatMap((item) => {
      if (item.outcome?.type !== "poison") return [];
      item.span.setStatus({ code: SpanStatusCode.ERROR, message: `dead-lettered: ${deadLetterReasonName(item.outcome.poison.reason)}` });
      return [deadLetterMessage(item.message, item.outcome, traceHeaders(item.context), now)];
    });
    await this.#o.producer.send(this.#o.topics.dlq, letters);
  }

  #count(done: Item[]): void {
    const now = Date.now();
    for (const item of done) {
      if (item.outcome) for (const measurement of measurementsOf(item.outcome, item.message, now)) this.#o.metrics.apply(measurement);
    }
  }
}
