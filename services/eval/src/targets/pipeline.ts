import { encodeDocumentReceived } from "@liability/contracts";
import type { ExtractedRecord } from "@liability/domain";
import { kafkaConnectionOptions, postgresPoolConfig } from "@liability/platform";
import type { KafkaConfig, PostgresConfig } from "@liability/platform";
import { Kafka, logLevel } from "kafkajs";
import type { KafkaConfig as KafkaJsConfig, Producer } from "kafkajs";
import pg from "pg";
import type { EvalDocument } from "../dataset.ts";
import type { DocResult, RunInfo } from "../result.ts";
import type { RunOptions, Target } from "./target.ts";

export interface PipelineTargetOptions {
  name: string;
  kafka: KafkaConfig;
  postgres: PostgresConfig;
  documentsTopic: string;
  /** PostgreSQL schema holding the worker's tables. */
  schema: string;
  tenantId: string;
  /** Give up on documents with no record after this long. */
  timeoutMs: number;
  pollMs: number;
}

interface RecordRow {
  document_id: string;
  status: "accepted" | "review";
  liability_type: string | null;
  lender_name: string | null;
  account_last4: string | null;
  current_balance: number | null;
  payoff_amount: number | null;
  payoff_good_through: string | null;
  escrow_balance: number | null;
  interest_rate: number | null;
  monthly_payment: number | null;
  next_due_date: string | null;
  as_of_date: string | null;
  model_id: string;
  model_version: string;
  prompt_version: string;
  confidence: number | null;
  created_ms: number;
}

/**
 * The whole system: publishes DocumentReceived events to the documents topic, as an
 * upstream system would, then reads what the worker committed to PostgreSQL (the record
 * with its accepted/review status, the review entry's reasons, the extraction attempts).
 * Document ids get a per-run prefix so repeated runs never collide with earlier records.
 */
export class PipelineTarget implements Target {
  readonly mode = "pipeline" as const;
  readonly name: string;
  readonly address: string;
  readonly #o: PipelineTargetOptions;
  readonly #pool: pg.Pool;
  #producer: Producer | null = null;

  constructor(options: PipelineTargetOptions) {
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(options.schema)) throw new Error(`invalid schema name ${options.schema}`);
    this.#o = options;
    this.name = options.name;
    this.address = `kafka ${options.kafka.KAFKA_BROKERS.join(",")} topic ${options.documentsTopic} → postgres schema ${options.schema}`;
    this.#pool = new pg.Pool(postgresPoolConfig(options.postgres, "liability-eval"));
  }

  async run(docs: readonly EvalDocument[], options: RunOptions): Promise<RunInfo> {
    const o = this.#o;
    const connection = kafkaConnectionOptions(o.kafka);
    const kafka = new Kafka({
      clientId: `${connection.clientId}-eval`,
      brokers: connection.brokers,
      ssl: connection.ssl,
      // kafkajs types SASL per mechanism; the platform's options carry the mechanism as a union.
      ...(connection.sasl ? { sasl: connection.sasl as KafkaJsConfig["sasl"] } : {}),
      logLevel: logLevel.WARN,
    });
    // A plain producer with acks=all: a retried send may deliver twice, which the worker absorbs
    // (records are keyed by document id), and kafkajs idempotence would need unbounded retries.
    this.#producer = kafka.producer({ allowAutoTopicCreation: false, maxInFlightRequests: 1 });
    await this.#producer.connect();
    await this.#pool.query("SELECT 1");

    const runId = `eval-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
    const byPipelineId = new Map<string, EvalDocument>();
    const publishedAt = new Map<string, number>();
    for (const d of docs) byPipelineId.set(`${runId}-${d.id}`, d);

    const started = Date.now();
    const ids = [...byPipelineId.keys()];
    for (let i = 0; i < ids.length; i += 100) {
      const chunk = ids.slice(i, i + 100);
      const now = Date.now();
      await this.#producer.send({
        topic: o.documentsTopic,
        acks: -1,
        messages: chunk.map((id) => {
          const doc = byPipelineId.get(id)!;
          const { value } = encodeDocumentReceived({
            documentId: id,
            kind: doc.kind,
            tenantId: o.tenantId,
            sourceSystem: "liability-eval",
            receivedAtMs: (doc.receivedAt ?? new Date(now)).getTime(),
            text: doc.text,
          });
          return { key: id, value };
        }),
      });
      for (const id of chunk) publishedAt.set(id, now);
    }

    const pending = new Set(ids);
    let lastFinish = started;
    const deadline = started + o.timeoutMs;
    const t = (name: string) => `"${o.schema}".${name}`;
    while (pending.size > 0 && Date.now() < deadline && !options.signal?.aborted) {
      await sleep(o.pollMs);
      const wanted = [...pending];
      const [records, reviews, attempts] = await Promise.all([
        this.#pool.query<RecordRow>(
          `SELECT document_id, status, liability_type, lender_name, account_last4,
                  current_balance::float8 AS current_balance, payoff_amount::float8 AS payoff_amount,
                  to_char(payoff_good_through, 'YYYY-MM-DD') AS payoff_good_through,
                  escrow_balance::float8 AS escrow_balance, interest_rate::float8 AS interest_rate,
                  monthly_payment::float8 AS monthly_payment,
                  to_char(next_due_date, 'YYYY-MM-DD') AS next_due_date, to_char(as_of_date, 'YYYY-MM-DD') AS as_of_date,
                  model_id, model_version, prompt_version, confidence::float8 AS confidence,
                  (extract(epoch FROM created_at) * 1000)::float8 AS created_ms
             FROM ${t("liability_records")} WHERE document_id = ANY($1)`,
          [wanted],
        ),
        this.#pool.query<{ document_id: string; reasons: { code?: string }[] }>(
          `SELECT document_id, reasons FROM ${t("review_queue")} WHERE document_id = ANY($1)`,
          [wanted],
        ),
        this.#pool.query<{ document_id: string; outcome: string; latency_ms: number | null; error_code: string | null; at_ms: number }>(
          `SELECT document_id, outcome, latency_ms, error_code, (extract(epoch FROM attempted_at) * 1000)::float8 AS at_ms
             FROM ${t("extraction_attempts")} WHERE document_id = ANY($1) ORDER BY attempted_at`,
          [wanted],
        ),
      ]);
      const reasons = new Map(reviews.rows.map((r) => [r.document_id, (r.reasons ?? []).map((x) => x.code ?? "unknown")]));
      const sidecarMs = new Map<string, number>();
      const deadLetters = new Map<string, { code: string; atMs: number }>();
      for (const a of attempts.rows) {
        if (a.latency_ms !== null) sidecarMs.set(a.document_id, (sidecarMs.get(a.document_id) ?? 0) + a.latency_ms);
        if (a.outcome === "dead_lettered" || a.outcome === "failed")
          deadLetters.set(a.document_id, { code: `${a.outcome}${a.error_code ? `:${a.error_code}` : ""}`, atMs: a.at_ms });
      }
      for (const row of records.rows) {
        if (!pending.delete(row.document_id)) continue;
        const doc = byPipelineId.get(row.document_id)!;
        lastFinish = Math.max(lastFinish, row.created_ms);
        options.onResult({
          id: doc.id,
          output: rowToRecord(row),
          error: null,
          latencyMs: row.created_ms - publishedAt.get(row.document_id)!,
          serverMs: sidecarMs.get(row.document_id) ?? null,
          promptTokens: null,
          completionTokens: null,
          truncated: false,
          confidence: row.confidence,
          status: row.status,
          reasons: reasons.get(row.document_id) ?? [],
          model: { id: row.model_id, version: row.model_version, prompt: row.prompt_version },
        });
      }
      for (const [id, dl] of deadLetters) {
        if (!pending.delete(id)) continue;
        lastFinish = Math.max(lastFinish, dl.atMs);
        options.onResult(failure(byPipelineId.get(id)!.id, dl.code, dl.atMs - publishedAt.get(id)!));
      }
    }
    for (const id of pending) options.onResult(failure(byPipelineId.get(id)!.id, `no record within ${o.timeoutMs} ms`, Date.now() - publishedAt.get(id)!));
    const note = pending.size === docs.length ? "no document reached PostgreSQL: is the worker running and consuming this topic?" : undefined;
    return { wallSeconds: (lastFinish - started) / 1000, concurrency: 0, ...(note ? { note } : {}) };
  }

  async close(): Promise<void> {
    await this.#producer?.disconnect().catch(() => {});
    await this.#pool.end().catch(() => {});
  }
}

function rowToRecord(row: RecordRow): ExtractedRecord {
  return {
    liability_type: row.liability_type,
    lender_name: row.lender_name,
    account_last4: row.account_last4,
    current_balance: row.current_balance,
    payoff_amount: row.payoff_amount,
    payoff_good_through: row.payoff_good_through,
    escrow_balance: row.escrow_balance,
    interest_rate: row.interest_rate,
    monthly_payment: row.monthly_payment,
    next_due_date: row.next_due_date,
    as_of_date: row.as_of_date,
  };
}

function failure(id: string, error: string, latencyMs: number): DocResult {
  return {
    id,
    output: null,
    error,
    latencyMs,
    serverMs: null,
    promptTokens: null,
    completionTokens: null,
    truncated: false,
    confidence: null,
    status: null,
    reasons: [],
    model: null,
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
