import { context, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import type { Context, Span } from "@opentelemetry/api";
import { DeadLetterReason, recordFromProto } from "@liability/contracts";
import { reasonCode, validateExtraction } from "@liability/domain";
import type { LiabilityRecord, ValidationPolicy, ValidationResult } from "@liability/domain";
import type { Logger } from "@liability/platform";
import { decodeDocumentReceived } from "./decode.ts";
import type { DecodeLimits, DecodedDocument, PoisonMessage } from "./decode.ts";
import type { AttemptRecord, ExtractOutcome } from "./inference-client.ts";
import type { BatchContext, BatchResult, InboundBatch, InboundMessage, MessageProducer, OutboundMessage } from "./messaging.ts";
import type { WorkerMetrics } from "./metrics.ts";
import { encodeDeadLetter, encodeLiabilityRecorded } from "./records.ts";
import type { AttemptRow, RecordRow } from "./store.ts";
import { contextFromKafkaHeaders, traceHeaders, traceIdOf, tracer } from "./tracing.ts";

/** What the processor needs from the database. */
export interface BatchStore {
  existingDocumentIds(ids: readonly string[]): Promise<Set<string>>;
  writeBatch(records: readonly RecordRow[], attempts: readonly AttemptRow[]): Promise<Set<string>>;
}

/** What the processor needs from the sidecar client. */
export interface Extractor {
  extract(request: { documentId: string; kind: "statement" | "call_transcript"; text: string }, signal: AbortSignal): Promise<ExtractOutcome>;
}

export type Dependency = "inference" | "database" | "kafka" | "internal";

export interface ProcessorOptions {
  store: BatchStore;
  extractor: Extractor;
  producer: MessageProducer;
  policy: ValidationPolicy;
  limits: DecodeLimits;
  topics: { dlq: string; recorded: string };
  heartbeatIntervalMs: number;
  logger: Logger;
  metrics: WorkerMetrics;
  /** A dependency failed: stop consuming until it is back. */
  onDependencyDown(dependency: Dependency): void;
  /** New outbox rows were committed: the relay can publish now instead of at its next poll. */
  onCommitted(): void;
}

/** Review reason for a document the sidecar could not process (a non-transient server error). */
const INFERENCE_FAILED = "inference.failed";
/** Review reason for a document whose validation raised an error. */
const VALIDATION_ERROR = "validation.error";

type Outcome =
  | { readonly type: "poison"; readonly poison: PoisonMessage; readonly attempts: readonly AttemptRecord[] }
  | { readonly type: "duplicate" }
  | {
      readonly type: "record";
      readonly row: RecordRow;
      readonly attempts: readonly AttemptRecord[];
      readonly modelVersion: string;
      /** How the last attempt ended, for the audit: failed means no usable model answer. */
      readonly final: "accepted" | "review" | "failed";
    }
  | { readonly type: "pending"; readonly attempts: readonly AttemptRecord[] };

interface Item {
  readonly message: InboundMessage;
  readonly span: Span;
  readonly context: Context;
  readonly decoded: DecodedDocument | PoisonMessage;
  outcome?: Outcome;
}

/**
 * Turns one Kafka batch into one database transaction. The order of effects is what makes
 * the pipeline exactly-once in effect:
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

  constructor(options: ProcessorOptions) {
    this.#o = options;
  }

  async handle(batch: InboundBatch, ctx: BatchContext): Promise<BatchResult> {
    const { metrics, logger } = this.#o;
    const started = performance.now();
    metrics.batchSize.record(batch.messages.length, { topic: batch.topic });
    metrics.recordLag(batch.topic, batch.partition, batch.lag);

    const items = batch.messages.map((message) => this.#open(message));
    // A failed heartbeat means the group is rebalancing (or this member was dropped): the
    // partition may be moving to another worker, which waits until this one lets go. The
    // batch then stops early: what is finished is written, the rest is left for the new owner.
    const rebalance = new AbortController();
    const heartbeat = setInterval(() => {
      ctx.heartbeat().catch((err: unknown) => {
        if (!rebalance.signal.aborted) logger.info({ err: (err as Error).message, partition: batch.partition }, "rebalance under way; finishing the batch early");
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
      metrics.batchDuration.record(performance.now() - started, { topic: batch.topic });
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
    return { message, span, context: spanContext, decoded };
  }

  async #process(batch: InboundBatch, items: Item[], ctx: BatchContext, rebalancing: AbortSignal): Promise<BatchResult> {
    const { logger } = this.#o;
    for (const item of items) {
      if (!item.decoded.ok) item.outcome = { type: "poison", poison: item.decoded, attempts: [] };
    }

    const documents = items.filter((i): i is Item & { decoded: DecodedDocument } => i.decoded.ok);
    let existing: Set<string>;
    try {
      existing = await this.#o.store.existingDocumentIds([...new Set(documents.map((i) => i.decoded.documentId))]);
    } catch (error) {
      logger.warn({ err: error }, "database unavailable before processing; pausing");
      this.#o.onDependencyDown("database");
      return { processedThrough: null, pause: true };
    }

    // Within a batch, the first occurrence of a document is the one processed.
    const seen = new Set<string>();
    const toExtract: (Item & { decoded: DecodedDocument })[] = [];
    for (const item of documents) {
      const id = item.decoded.documentId;
      if (existing.has(id) || seen.has(id)) item.outcome = { type: "duplicate" };
      else {
        seen.add(id);
        toExtract.push(item);
      }
    }

    // The batch stops at the first document the sidecar could not take; the others in
    // flight are abandoned rather than left retrying against a dead sidecar.
    const stopBatch = new AbortController();
    const signal = AbortSignal.any([stopBatch.signal, ctx.signal, rebalancing]);
    let sidecarDown = false;
    await Promise.all(
      toExtract.map(async (item) => {
        const outcome = await context.with(item.context, () =>
          this.#o.extractor.extract({ documentId: item.decoded.documentId, kind: item.decoded.kind, text: item.decoded.text }, signal),
        );
        if (outcome.kind === "unavailable") {
          sidecarDown = true;
          stopBatch.abort();
        }
        item.outcome = context.with(item.context, () => this.#afterExtract(item, outcome));
      }),
    );

    let prefix = items.findIndex((i) => i.outcome === undefined || i.outcome.type === "pending");
    if (prefix === -1) prefix = items.length;
    const done = items.slice(0, prefix);
    for (const item of items.slice(prefix)) {
      item.span.setAttribute("worker.deferred", true);
    }

    const recordRows = done.flatMap((i) => (i.outcome?.type === "record" ? [i.outcome.row] : []));
    const attemptRows = items.flatMap((i) => this.#attemptRows(i, i.outcome, prefix > items.indexOf(i)));
    try {
      await this.#write(done, recordRows, attemptRows);
    } catch (error) {
      logger.warn({ err: error, topic: batch.topic, partition: batch.partition }, "database write failed; pausing");
      this.#o.onDependencyDown("database");
      return { processedThrough: null, pause: true };
    }
    if (recordRows.length > 0) this.#o.onCommitted();

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
    const processedThrough = prefix > 0 ? items[prefix - 1]!.message.offset : null;
    // An outage asks for a pause; a shutdown or a rebalance abandons work without one.
    return { processedThrough, pause: prefix < items.length && !ctx.signal.aborted && !rebalancing.aborted };
  }

  #afterExtract(item: Item & { decoded: DecodedDocument }, outcome: ExtractOutcome): Outcome {
    const doc = item.decoded;
    if (outcome.kind === "unavailable" || outcome.kind === "aborted") {
      return { type: "pending", attempts: outcome.attempts };
    }
    if (outcome.kind === "rejected") {
      return {
        type: "poison",
        poison: {
          ok: false,
          reason: DeadLetterReason.INFERENCE_REJECTED,
          detail: `sidecar answered ${outcome.code}`,
          documentId: doc.documentId,
        },
        attempts: outcome.attempts,
      };
    }
    if (outcome.kind === "failed") {
      const row = this.#recordRow(item, {
        status: "review",
        record: null,
        reasonCodes: [INFERENCE_FAILED],
        reasonsJson: [{ code: INFERENCE_FAILED, rule: INFERENCE_FAILED, message: `sidecar answered ${outcome.code}` }],
        validation: null,
        model: { id: "", version: "", prompt: "" },
        confidence: null,
        fieldConfidence: null,
        rawOutput: null,
      });
      return { type: "record", row, attempts: outcome.attempts, modelVersion: "", final: "failed" };
    }

    const response = outcome.response;
    const validation = tracer.startActiveSpan("validate extraction", (span): ValidationResult => {
      try {
        const output = response.rawOutput.trim() !== "" ? response.rawOutput : response.record ? recordFromProto(response.record) : null;
        const result = validateExtraction(
          {
            text: doc.text,
            output,
            confidence: response.confidence ? { available: response.confidence.available, fields: response.confidence.fields } : null,
            referenceDate: new Date(doc.receivedAtMs),
            truncated: response.truncated,
          },
          this.#o.policy,
        );
        span.setAttributes({ "validation.status": result.status, "validation.reasons": result.reasons.map(reasonCode) });
        return result;
      } catch (error) {
        // A validation bug must not stall the partition (the batch would fail on every
        // redelivery): the document goes to a person instead.
        this.#o.logger.error({ err: error, documentId: doc.documentId }, "validation failed");
        span.setStatus({ code: SpanStatusCode.ERROR, message: "validation failed" });
        return {
          status: "review",
          record: null,
          reasons: [{ rule: VALIDATION_ERROR as never, message: "validation raised an error" }],
          citations: {},
          suspiciousSpans: [],
          confidence: null,
        };
      } finally {
        span.end();
      }
    });
    const model = {
      id: response.model?.modelId ?? "",
      version: response.model?.modelVersion ?? "",
      prompt: response.model?.promptVersion ?? "",
    };
    const row = this.#recordRow(item, {
      status: validation.status,
      record: validation.record,
      reasonCodes: validation.reasons.map(reasonCode),
      reasonsJson: validation.reasons.map((r) => ({ code: reasonCode(r), rule: r.rule, field: r.field ?? null, message: r.message })),
      validation,
      model,
      confidence: validation.confidence,
      fieldConfidence: response.confidence?.available ? { ...response.confidence.fields } : null,
      rawOutput: response.rawOutput === "" ? null : response.rawOutput,
    });
    return { type: "record", row, attempts: outcome.attempts, modelVersion: model.version, final: validation.status };
  }

  #recordRow(
    item: Item & { decoded: DecodedDocument },
    r: {
      status: "accepted" | "review";
      record: LiabilityRecord | null;
      reasonCodes: string[];
      reasonsJson: unknown[];
      validation: ValidationResult | null;
      model: { id: string; version: string; prompt: string };
      confidence: number | null;
      fieldConfidence: Record<string, number> | null;
      rawOutput: string | null;
    },
  ): RecordRow {
    const doc = item.decoded;
    item.span.setAttribute("record.status", r.status);
    return {
      documentId: doc.documentId,
      tenantId: doc.tenantId,
      status: r.status,
      record: r.record,
      modelId: r.model.id,
      modelVersion: r.model.version,
      promptVersion: r.model.prompt,
      confidence: r.confidence,
      fieldConfidence: r.fieldConfidence,
      citations: r.validation
        ? { ...r.validation.citations, ...(r.validation.suspiciousSpans.length > 0 ? { suspicious: r.validation.suspiciousSpans } : {}) }
        : {},
      traceId: traceIdOf(item.span),
      kafkaTopic: item.message.topic,
      kafkaPartition: item.message.partition,
      kafkaOffset: item.message.offset,
      reviewReasons: r.reasonsJson,
      rawModelOutput: r.status === "review" ? r.rawOutput : null,
      outbox: {
        topic: this.#o.topics.recorded,
        payload: encodeLiabilityRecorded({
          documentId: doc.documentId,
          tenantId: doc.tenantId,
          status: r.status,
          record: r.record,
          modelId: r.model.id,
          modelVersion: r.model.version,
          promptVersion: r.model.prompt,
          recordedAtMs: Date.now(),
          confidence: r.confidence,
          reviewReasons: r.reasonCodes,
        }),
        headers: {
          ...traceHeaders(item.context),
          "content-type": "application/x-protobuf",
          "document-id": doc.documentId,
          "record-status": r.status,
        },
      },
    };
  }

  #attemptRows(item: Item, outcome: Outcome | undefined, inPrefix: boolean): AttemptRow[] {
    if (!outcome || outcome.type === "duplicate") return [];
    const documentId = item.decoded.ok ? item.decoded.documentId : item.decoded.documentId;
    if (documentId === "") return [];
    const tenantId = item.decoded.ok ? item.decoded.tenantId : null;
    const traceId = traceIdOf(item.span);
    const rows: AttemptRow[] = [];
    const attempts = outcome.attempts;
    attempts.forEach((a, index) => {
      const last = index === attempts.length - 1;
      let result: AttemptRow["outcome"] = "retry";
      if (last && inPrefix) {
        if (outcome.type === "record") result = outcome.final;
        else if (outcome.type === "poison") result = "dead_lettered";
      }
      rows.push({
        documentId,
        tenantId,
        attempt: a.attempt,
        outcome: result,
        errorCode: a.errorCode,
        latencyMs: a.latencyMs,
        modelVersion: outcome.type === "record" ? outcome.modelVersion || null : null,
        traceId,
      });
    });
    if (attempts.length === 0 && outcome.type === "poison" && inPrefix) {
      rows.push({
        documentId,
        tenantId,
        attempt: 1,
        outcome: "dead_lettered",
        errorCode: DeadLetterReason[outcome.poison.reason] ?? "UNSPECIFIED",
        latencyMs: null,
        modelVersion: null,
        traceId,
      });
    }
    return rows;
  }

  async #write(done: Item[], records: RecordRow[], attempts: AttemptRow[]): Promise<void> {
    if (records.length === 0 && attempts.length === 0) return;
    // One span per document, child of its processing span, so that each document's trace
    // shows the write; one batch span linking them all shows the transaction itself.
    const perDocument = done
      .filter((i) => i.outcome?.type === "record")
      .map((i) => tracer.startSpan("liability_records upsert", { kind: SpanKind.CLIENT, attributes: { "db.system.name": "postgresql" } }, i.context));
    const batchSpan = tracer.startSpan("write batch", {
      kind: SpanKind.CLIENT,
      attributes: { "db.system.name": "postgresql", "db.operation.batch.size": records.length },
      links: perDocument.map((s) => ({ context: s.spanContext() })),
    });
    try {
      const inserted = await this.#o.store.writeBatch(records, attempts);
      for (const item of done) {
        if (item.outcome?.type === "record" && !inserted.has(item.outcome.row.documentId)) {
          // Another worker (or an earlier delivery) recorded it first.
          item.outcome = { type: "duplicate" };
        }
      }
    } catch (error) {
      for (const s of [...perDocument, batchSpan]) s.setStatus({ code: SpanStatusCode.ERROR, message: "write failed" });
      throw error;
    } finally {
      for (const s of [...perDocument, batchSpan]) s.end();
    }
  }

  async #deadLetter(done: Item[]): Promise<void> {
    const letters: OutboundMessage[] = [];
    const now = Date.now();
    for (const item of done) {
      if (item.outcome?.type !== "poison") continue;
      const { poison, attempts } = item.outcome;
      letters.push({
        key: item.message.key,
        value: Buffer.from(
          encodeDeadLetter({
            message: item.message,
            reason: poison.reason,
            detail: poison.detail,
            documentId: poison.documentId,
            attempts: Math.max(1, attempts.length),
            firstFailureMs: now,
            lastFailureMs: now,
          }),
        ),
        headers: {
          ...traceHeaders(item.context),
          "content-type": "application/x-protobuf",
          "dead-letter-reason": DeadLetterReason[poison.reason] ?? "UNSPECIFIED",
        },
      });
      item.span.setStatus({ code: SpanStatusCode.ERROR, message: `dead-lettered: ${DeadLetterReason[poison.reason]}` });
    }
    await this.#o.producer.send(this.#o.topics.dlq, letters);
  }

  #count(done: Item[]): void {
    const { metrics } = this.#o;
    const now = Date.now();
    for (const item of done) {
      const outcome = item.outcome;
      if (!outcome) continue;
      if (outcome.type === "duplicate") {
        metrics.processed.add(1, { outcome: "duplicate" });
      } else if (outcome.type === "poison") {
        const reason = DeadLetterReason[outcome.poison.reason] ?? "UNSPECIFIED";
        metrics.processed.add(1, { outcome: "dead_lettered" });
        metrics.deadLettered.add(1, { reason });
      } else if (outcome.type === "record") {
        metrics.processed.add(1, { outcome: outcome.row.status });
        if (outcome.row.status === "accepted") metrics.accepted.add(1);
        else {
          metrics.review.add(1);
          for (const r of outcome.row.reviewReasons as { code?: string }[]) metrics.reviewReasons.add(1, { reason: r.code ?? "unknown" });
        }
        metrics.endToEndLatency.record(Math.max(0, now - item.message.timestamp), { status: outcome.row.status });
      }
    }
  }
}
