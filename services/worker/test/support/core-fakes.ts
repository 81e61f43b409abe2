// In-memory fakes of the core's ports (store, extractor, producer) and a BatchProcessor wired
// to them, for unit tests of the worker's decisions without Kafka, PostgreSQL or a sidecar.
import { create, toBinary } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { DocumentKind, DocumentReceivedSchema, ExtractResponseSchema } from "@liability/contracts";
import type { ExtractResponse } from "@liability/contracts";
import { canonicalRecordJson, DEFAULT_VALIDATION_POLICY } from "@liability/domain";
import type { LiabilityRecord } from "@liability/domain";
import { createLogger } from "@liability/platform";
import type { BatchContext, BatchResult, InboundBatch, InboundMessage, MessageProducer, OutboundMessage } from "../../src/core/messaging.ts";
import { keyOf, RowsRejectedError } from "../../src/core/ports.ts";
import type { AttemptRow, Dependency, DocumentKey, ExtractOutcome, ExtractRequest, Extractor, RecordRow, RecordStore } from "../../src/core/ports.ts";
import { WorkerMetrics } from "../../src/metrics.ts";
import { BatchProcessor } from "../../src/processor.ts";

/** A mortgage statement (the spec's first example) and the record a perfect model reads from it. */
export const STATEMENT = `NORTHGATE SAVINGS BANK
Mortgage Statement
Statement Date: 04/02/2026
Loan Number: 7712-004-5518
Property: 14 Alder Way, Springfield

Payment Due Date          05/01/2026
Amount Due                $2,184.37
  Principal                 $612.40
  Interest                $1,101.55
  Escrow (taxes/insurance)  $470.42

Outstanding Principal     $214,905.12
Interest Rate             6.150%
Escrow Balance            $3,318.07
Prepayment Penalty        No

Questions? Call 1-800-555-0142 (Mon-Fri 8am-6pm).
`;
export const STATEMENT_RECORD: LiabilityRecord = {
  liability_type: "mortgage",
  lender_name: "Northgate Savings Bank",
  account_last4: "5518",
  current_balance: 214905.12,
  payoff_amount: null,
  payoff_good_through: null,
  escrow_balance: 3318.07,
  interest_rate: 6.15,
  monthly_payment: 2184.37,
  next_due_date: "2026-05-01",
  as_of_date: "2026-04-02",
};
/** The day after the statement date: every date of the statement is plausible then. */
export const RECEIVED_AT_MS = Date.parse("2026-04-03T09:00:00Z");

export const TOPICS = { documents: "docs", dlq: "docs.dlq", recorded: "recorded" } as const;

/** A DocumentReceived event as the documents topic carries it. */
export const TENANT = "tenant-1";

export function documentMessage(documentId: string, offset: number, text = STATEMENT, tenantId = TENANT): InboundMessage {
  const value = Buffer.from(
    toBinary(
      DocumentReceivedSchema,
      create(DocumentReceivedSchema, {
        documentId,
        tenantId,
        kind: DocumentKind.STATEMENT,
        receivedAt: timestampFromMs(RECEIVED_AT_MS),
        contentType: "text/plain; charset=utf-8",
        content: { case: "text", value: new TextEncoder().encode(text) },
      }),
    ),
  );
  return rawMessage(value, offset, documentId);
}

/** A message with any bytes as its value (protobuf by default content type). */
export function rawMessage(value: Buffer, offset: number, key = `key-${offset}`): InboundMessage {
  return {
    topic: TOPICS.documents,
    partition: 0,
    offset: String(offset),
    key: Buffer.from(key),
    value,
    headers: { "content-type": Buffer.from("application/x-protobuf") },
    originalHeaders: [{ key: "Content-Type", value: Buffer.from("application/x-protobuf") }],
    timestamp: RECEIVED_AT_MS,
  };
}

export function batchOf(messages: readonly InboundMessage[]): InboundBatch {
  return { topic: TOPICS.documents, partition: 0, messages, lag: 0 };
}

/** A batch context whose signal the test can abort (a shutdown past its grace period). */
export function batchContext(signal: AbortSignal = new AbortController().signal): BatchContext {
  return { heartbeat: async () => {}, isStale: () => false, isRunning: () => !signal.aborted, signal };
}

/** The tables the store writes, in memory, with the same insert-once rule as PostgreSQL's. */
export class InMemoryStore implements RecordStore {
  /** By keyOf (tenant and document id). */
  readonly records = new Map<string, RecordRow>();
  readonly reviews = new Map<string, RecordRow>();
  readonly outbox: RecordRow["outbox"][] = [];
  readonly attempts: AttemptRow[] = [];
  /** While true, every call fails as a database outage would. */
  down = false;
  /** While true, writes fail (the outage began after the check before extraction). */
  writesFail = false;
  /** Rows the database refuses as data (a CHECK, a value out of range), with the SQLSTATE it names. */
  refuses: (row: RecordRow) => string | undefined = () => undefined;

  /** The record of `documentId` for `tenantId`. */
  record(documentId: string, tenantId = TENANT): RecordRow | undefined {
    return this.records.get(keyOf({ tenantId, documentId }));
  }

  /** The document ids recorded, in the order they were written. */
  documentIds(): string[] {
    return [...this.records.values()].map((r) => r.documentId);
  }

  async recordedDocuments(keys: readonly DocumentKey[]): Promise<Map<string, string | null>> {
    this.#failWhenDown();
    const found = new Map<string, string | null>();
    for (const key of keys) {
      const row = this.records.get(keyOf(key));
      if (row) found.set(keyOf(key), row.contentSha256);
    }
    return found;
  }

  async writeBatch(records: readonly RecordRow[], attempts: readonly AttemptRow[]): Promise<Set<string>> {
    this.#failWhenDown();
    if (this.writesFail) throw new Error("connection terminated");
    // One transaction: a refused row refuses the whole write.
    const refused = records.map((row) => this.refuses(row)).find((code) => code !== undefined);
    if (refused !== undefined) throw new RowsRejectedError(refused, `SQLSTATE ${refused}`);
    const inserted = new Set<string>();
    for (const row of records) {
      if (this.records.has(keyOf(row))) continue;
      this.records.set(keyOf(row), row);
      if (row.status === "review" || row.shadow) this.reviews.set(keyOf(row), row);
      this.outbox.push(row.outbox);
      inserted.add(keyOf(row));
    }
    this.attempts.push(...attempts);
    return inserted;
  }

  async timedOutCalls(keys: readonly DocumentKey[]): Promise<Map<string, number>> {
    this.#failWhenDown();
    const counts = new Map<string, number>();
    for (const a of this.attempts) {
      const key = keyOf({ tenantId: a.tenantId ?? "", documentId: a.documentId });
      if (a.errorCode === "DEADLINE_EXCEEDED" && keys.some((k) => keyOf(k) === key)) counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return counts;
  }

  async rejectedRecords(records: readonly RecordRow[]): Promise<Map<string, string>> {
    this.#failWhenDown();
    const rejected = new Map<string, string>();
    for (const row of records) {
      const code = this.refuses(row);
      if (code !== undefined) rejected.set(keyOf(row), `SQLSTATE ${code}`);
    }
    return rejected;
  }

  #failWhenDown(): void {
    if (this.down) throw new Error("connection refused");
  }
}

/** A sidecar answer to a request: what the fake extractor returns for it. */
export type Script = (request: ExtractRequest, signal: AbortSignal) => ExtractOutcome | Promise<ExtractOutcome>;

/** The sidecar's response carrying this model output. */
export function modelResponse(rawOutput: string): ExtractResponse {
  return create(ExtractResponseSchema, {
    rawOutput,
    model: { modelId: "fake-model", modelVersion: "v-test", promptVersion: "p-test" },
  });
}

/** An answer from the model, in one attempt. */
export function answered(rawOutput: string): ExtractOutcome {
  return { kind: "ok", response: modelResponse(rawOutput), attempts: [{ attempt: 1, latencyMs: 5, errorCode: null }] };
}

/** A perfect model: the statement's record, exactly. */
export const perfectModel: Script = () => answered(canonicalRecordJson(STATEMENT_RECORD));

/** The extractor port, answering by script and remembering which documents it was asked for. */
export class ScriptedExtractor implements Extractor {
  readonly requests: string[] = [];
  script: Script;

  constructor(script: Script = perfectModel) {
    this.script = script;
  }

  async extract(request: ExtractRequest, signal: AbortSignal): Promise<ExtractOutcome> {
    this.requests.push(request.documentId);
    return this.script(request, signal);
  }
}

/** The producer port, remembering what was sent; `down` makes sends fail. */
export class RecordingProducer implements MessageProducer {
  readonly sent: { topic: string; message: OutboundMessage }[] = [];
  down = false;

  async connect(): Promise<void> {}
  async disconnect(): Promise<void> {}

  async send(topic: string, messages: readonly OutboundMessage[]): Promise<void> {
    if (this.down) throw new Error("broker unavailable");
    this.sent.push(...messages.map((message) => ({ topic, message })));
  }
}

/** A BatchProcessor over the fakes, with what it reported to the shell around it. */
export function processorOver(ports: { store?: InMemoryStore; extractor?: ScriptedExtractor; producer?: RecordingProducer; reviewShadowShare?: number } = {}) {
  const store = ports.store ?? new InMemoryStore();
  const extractor = ports.extractor ?? new ScriptedExtractor();
  const producer = ports.producer ?? new RecordingProducer();
  const down: Dependency[] = [];
  let commits = 0;
  const processor = new BatchProcessor({
    store,
    extractor,
    producer,
    policy: DEFAULT_VALIDATION_POLICY,
    reviewShadowShare: ports.reviewShadowShare ?? 0,
    limits: { maxTextBytes: 65_536 },
    maxDocumentTimeouts: 4,
    topics: { dlq: TOPICS.dlq, recorded: TOPICS.recorded },
    heartbeatIntervalMs: 60_000,
    logger: createLogger({ service: "core-test", level: "silent" }),
    metrics: new WorkerMetrics(),
    onDependencyDown: (dependency) => down.push(dependency),
    onCommitted: () => (commits += 1),
  });
  const handle = (messages: readonly InboundMessage[], context = batchContext()): Promise<BatchResult> => processor.handle(batchOf(messages), context);
  return { store, extractor, producer, down, handle, commits: () => commits };
}
