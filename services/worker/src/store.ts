import pg from "pg";
import type { PoolConfig } from "pg";
import { inTransaction } from "@liability/platform";
import { TIMED_OUT } from "./core/outcome.ts";
import { keyOf, RowsRejectedError } from "./core/ports.ts";
import type { AttemptRow, DocumentKey, RecordRow, RecordStore } from "./core/ports.ts";

export interface OutboxBacklog {
  readonly waiting: number;
  readonly parked: number;
  /** Age of the oldest row waiting, in seconds; 0 when none waits. */
  readonly oldestAgeSeconds: number;
}

/** The connection pool right now, for the db.client.connection.* gauges. */
export interface PoolStats {
  readonly idle: number;
  readonly used: number;
  readonly pending: number;
  readonly max: number;
}

export interface OutboxRow {
  readonly id: string;
  readonly key: string;
  readonly topic: string;
  readonly payload: Buffer;
  readonly headers: Record<string, string>;
}

/** Pool settings plus the schema to work in (a test's own, or public). */
export function workerPoolConfig(base: PoolConfig, schema: string): PoolConfig {
  return {
    ...base,
    // search_path is set at connection start, so every statement finds the schema's tables.
    options: `-c search_path=${schema}`,
    // Fail fast while PostgreSQL is down instead of queueing work behind dead connections.
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  };
}

const RECORD_INPUT_COLUMNS = `
  document_id text, tenant_id text, content_sha256 text, status text, liability_type text, lender_name text, account_last4 text,
  current_balance numeric, payoff_amount numeric, payoff_good_through date, escrow_balance numeric,
  interest_rate numeric, monthly_payment numeric, next_due_date date, as_of_date date,
  model_id text, model_version text, prompt_version text, confidence numeric, field_confidence jsonb,
  citations jsonb, trace_id text, kafka_topic text, kafka_partition integer, kafka_offset bigint,
  review_reasons jsonb, raw_model_output text, record jsonb, shadow boolean, review_kind text, review_text text, review_received_at timestamptz,
  outbox_topic text, outbox_payload text, outbox_headers jsonb`;

/**
 * One statement writes a whole batch: the multi-row insert into liability_records is
 * keyed by (tenant_id, document_id) and does nothing for documents already recorded, and only the
 * rows it actually inserted get a review entry (with the document text, for the reviewer) and an outbox event. A redelivered or
 * duplicated event therefore changes nothing, even when two workers race on it.
 */
const WRITE_BATCH_SQL = `
WITH input AS (
  SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(${RECORD_INPUT_COLUMNS})
),
inserted AS (
  INSERT INTO liability_records (
    document_id, tenant_id, content_sha256, status, liability_type, lender_name, account_last4, current_balance,
    payoff_amount, payoff_good_through, escrow_balance, interest_rate, monthly_payment, next_due_date,
    as_of_date, model_id, model_version, prompt_version, confidence, field_confidence, citations,
    trace_id, kafka_topic, kafka_partition, kafka_offset)
  SELECT document_id, tenant_id, content_sha256, status, liability_type, lender_name, account_last4, current_balance,
    payoff_amount, payoff_good_through, escrow_balance, interest_rate, monthly_payment, next_due_date,
    as_of_date, model_id, model_version, prompt_version, confidence, field_confidence, citations,
    trace_id, kafka_topic, kafka_partition, kafka_offset
  FROM input
  ON CONFLICT (tenant_id, document_id) DO NOTHING
  RETURNING tenant_id, document_id
),
reviews AS (
  INSERT INTO review_queue (document_id, tenant_id, reasons, raw_model_output, record, model_version, trace_id, shadow, kind)
  SELECT i.document_id, i.tenant_id, i.review_reasons, i.raw_model_output, i.record, i.model_version, i.trace_id, i.shadow, i.review_kind
  FROM input i JOIN inserted USING (tenant_id, document_id)
  WHERE i.status = 'review' OR i.shadow
  ON CONFLICT (tenant_id, document_id) WHERE status IN ('pending', 'in_review') DO NOTHING
),
review_texts AS (
  INSERT INTO review_documents (tenant_id, document_id, text, received_at)
  SELECT i.tenant_id, i.document_id, i.review_text, i.review_received_at
  FROM input i JOIN inserted USING (tenant_id, document_id)
  WHERE i.review_text IS NOT NULL
  ON CONFLICT (tenant_id, document_id) DO NOTHING
),
events AS (
  INSERT INTO outbox (aggregate_key, topic, payload, headers)
  SELECT i.document_id, i.outbox_topic, decode(i.outbox_payload, 'base64'), i.outbox_headers
  FROM input i JOIN inserted USING (tenant_id, document_id)
  ORDER BY i.kafka_partition, i.kafka_offset
)
SELECT tenant_id, document_id FROM inserted`;

const WRITE_ATTEMPTS_SQL = `
INSERT INTO extraction_attempts (document_id, tenant_id, attempt, outcome, error_code, latency_ms, model_version, trace_id)
SELECT document_id, tenant_id, attempt, outcome, error_code, latency_ms, model_version, trace_id
FROM jsonb_to_recordset($1::jsonb) AS x(
  document_id text, tenant_id text, attempt integer, outcome text, error_code text, latency_ms integer,
  model_version text, trace_id text)`;

/** PostgreSQL: the core's RecordStore, the outbox relay's source, and the database probe. */
export class WorkerStore implements RecordStore {
  readonly pool: pg.Pool;

  constructor(config: PoolConfig) {
    this.pool = new pg.Pool(config);
    // An idle client losing its connection (PostgreSQL restarting) must not crash the process;
    // the pool drops it and the next query opens a new one.
    this.pool.on("error", () => {});
  }

  /** Which of these documents already have a record, with the hash of the text it came from. */
  async recordedDocuments(keys: readonly DocumentKey[]): Promise<Map<string, string | null>> {
    if (keys.length === 0) return new Map();
    const result = await this.pool.query<{ tenant_id: string; document_id: string; content_sha256: string | null }>(
      `SELECT r.tenant_id, r.document_id, r.content_sha256
         FROM liability_records r JOIN unnest($1::text[], $2::text[]) AS k(tenant_id, document_id) USING (tenant_id, document_id)`,
      [keys.map((k) => k.tenantId), keys.map((k) => k.documentId)],
    );
    return new Map(result.rows.map((r) => [keyOf({ tenantId: r.tenant_id, documentId: r.document_id }), r.content_sha256]));
  }

  /**
   * Writes a batch in one transaction: records, review entries, outbox events and the
   * attempt audit. Returns the document ids that were new. Nothing is visible (and so
   * nothing can be published) unless all of it commits.
   */
  async writeBatch(records: readonly RecordRow[], attempts: readonly AttemptRow[]): Promise<Set<string>> {
    if (records.length === 0 && attempts.length === 0) return new Set();
    try {
      return await inTransaction(
        this.pool,
        async (client) => {
          let inserted = new Set<string>();
          if (records.length > 0) {
            const result = await client.query<{ tenant_id: string; document_id: string }>(WRITE_BATCH_SQL, [serialiseForSql(records.map(toInputRow))]);
            inserted = new Set(result.rows.map((r) => keyOf({ tenantId: r.tenant_id, documentId: r.document_id })));
          }
          if (attempts.length > 0) {
            await client.query(WRITE_ATTEMPTS_SQL, [serialiseForSql(attempts.map(toAttemptRow))]);
          }
          return inserted;
        },
        // Durable whatever the server's default: the offsets are committed once this returns.
        { begin: "BEGIN; SET LOCAL synchronous_commit TO on" },
      );
    } catch (error) {
      throw asRejection(error);
    }
  }

  /**
   * Tries each record (with its attempts) behind its own savepoint in one transaction that is
   * rolled back: the ones PostgreSQL refuses as data, with SQLSTATE and constraint.
   */
  async rejectedRecords(records: readonly RecordRow[], attempts: readonly AttemptRow[]): Promise<Map<string, string>> {
    return inTransaction(
      this.pool,
      async (client) => {
        const rejected = new Map<string, string>();
        for (const record of records) {
          await client.query("SAVEPOINT probe");
          try {
            await client.query(WRITE_BATCH_SQL, [serialiseForSql([toInputRow(record)])]);
            const own = attempts.filter((a) => a.documentId === record.documentId && a.tenantId === record.tenantId);
            if (own.length > 0) await client.query(WRITE_ATTEMPTS_SQL, [serialiseForSql(own.map(toAttemptRow))]);
            await client.query("RELEASE SAVEPOINT probe");
          } catch (error) {
            const rejection = asRejection(error);
            if (!(rejection instanceof RowsRejectedError)) throw rejection;
            rejected.set(keyOf(record), rejection.message);
            await client.query("ROLLBACK TO SAVEPOINT probe");
          }
        }
        return rejected;
      },
      { end: "ROLLBACK" },
    );
  }

  /** Per document, the calls of the attempt audit that ran out of time. */
  async timedOutCalls(keys: readonly DocumentKey[]): Promise<Map<string, number>> {
    if (keys.length === 0) return new Map();
    const result = await this.pool.query<{ tenant_id: string; document_id: string; n: string }>(
      `SELECT a.tenant_id, a.document_id, count(*) AS n
         FROM extraction_attempts a JOIN unnest($1::text[], $2::text[]) AS k(tenant_id, document_id) USING (tenant_id, document_id)
        WHERE a.error_code = $3
        GROUP BY a.tenant_id, a.document_id`,
      [keys.map((k) => k.tenantId), keys.map((k) => k.documentId), TIMED_OUT],
    );
    return new Map(result.rows.map((r) => [keyOf({ tenantId: r.tenant_id, documentId: r.document_id }), Number(r.n)]));
  }

  poolStats(): PoolStats {
    return {
      idle: this.pool.idleCount,
      used: this.pool.totalCount - this.pool.idleCount,
      pending: this.pool.waitingCount,
      max: this.pool.options.max ?? 10,
    };
  }

  /** Review items nobody has resolved yet (pending or in review), across tenants. */
  async openReviewItems(): Promise<number> {
    const result = await this.pool.query<{ n: string }>("SELECT count(*) AS n FROM review_queue WHERE status IN ('pending', 'in_review')");
    return Number(result.rows[0]!.n);
  }

  async ping(): Promise<boolean> {
    try {
      await this.pool.query("SELECT 1");
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Leases up to `limit` unpublished, unparked rows in id order for `leaseMs`: other relays skip
   * them until the lease runs out, and no row lock is held while Kafka is called.
   */
  async claimOutbox(limit: number, leaseMs: number): Promise<OutboxRow[]> {
    const claimed = await this.pool.query<{ id: string; aggregate_key: string; topic: string; payload: Buffer; headers: Record<string, string> }>(
      `UPDATE outbox SET lease_until = now() + make_interval(secs => $2 / 1000.0)
        WHERE id IN (SELECT id FROM outbox
                      WHERE published_at IS NULL AND parked_at IS NULL AND (lease_until IS NULL OR lease_until < now())
                      ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
        RETURNING id, aggregate_key, topic, payload, headers`,
      [limit, leaseMs],
    );
    return claimed.rows
      .map((r) => ({ id: String(r.id), key: r.aggregate_key, topic: r.topic, payload: r.payload, headers: r.headers }))
      .sort((x, y) => Number(BigInt(x.id) - BigInt(y.id)));
  }

  async markPublished(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.pool.query("UPDATE outbox SET published_at = now(), lease_until = NULL WHERE id = ANY($1::bigint[])", [ids]);
  }

  /**
   * Ends the lease of rows that were not published. With `failure` (the row itself failed) the
   * attempt is counted and a row that reaches `maxAttempts` is parked with the error; returns the
   * ids parked now.
   */
  async releaseOutbox(ids: readonly string[], failure?: { error: string; maxAttempts: number }): Promise<string[]> {
    if (ids.length === 0) return [];
    if (!failure) {
      await this.pool.query("UPDATE outbox SET lease_until = NULL WHERE id = ANY($1::bigint[])", [ids]);
      return [];
    }
    const result = await this.pool.query<{ id: string; parked_at: Date | null }>(
      `UPDATE outbox SET lease_until = NULL, attempts = attempts + 1, last_error = left($2, 500),
              parked_at = CASE WHEN attempts + 1 >= $3 THEN now() END
        WHERE id = ANY($1::bigint[])
        RETURNING id, parked_at`,
      [ids, failure.error, failure.maxAttempts],
    );
    return result.rows.filter((r) => r.parked_at !== null).map((r) => String(r.id));
  }

  /** Rows waiting to be published, the age of the oldest, and rows parked for a person. */
  async outboxBacklog(): Promise<OutboxBacklog> {
    const result = await this.pool.query<{ waiting: string; parked: string; oldest_s: number | null }>(
      `SELECT count(*) FILTER (WHERE parked_at IS NULL) AS waiting,
              count(*) FILTER (WHERE parked_at IS NOT NULL) AS parked,
              extract(epoch FROM now() - min(created_at) FILTER (WHERE parked_at IS NULL))::float8 AS oldest_s
         FROM outbox WHERE published_at IS NULL`,
    );
    const row = result.rows[0]!;
    return { waiting: Number(row.waiting), parked: Number(row.parked), oldestAgeSeconds: row.oldest_s ?? 0 };
  }

  /** Deletes up to `maxRows` rows published more than `olderThanMs` ago; returns how many. */
  async pruneOutbox(olderThanMs: number, maxRows: number): Promise<number> {
    const result = await this.pool.query<{ n: number }>("SELECT prune_published_outbox(make_interval(secs => $1 / 1000.0), $2) AS n", [olderThanMs, maxRows]);
    return result.rows[0]!.n;
  }

  end(): Promise<void> {
    return this.pool.end();
  }
}

/** SQLSTATE classes of data errors: 22 data exception, 23 integrity constraint, 54 program limit exceeded. */
const DATA_ERROR_CLASSES = new Set(["22", "23", "54"]);

/** A data error as RowsRejectedError (its message names SQLSTATE and constraint, never a value); anything else unchanged. */
function asRejection(error: unknown): unknown {
  const code = (error as { code?: unknown }).code;
  if (typeof code !== "string" || !DATA_ERROR_CLASSES.has(code.slice(0, 2))) return error;
  const constraint = (error as { constraint?: unknown }).constraint;
  return new RowsRejectedError(code, typeof constraint === "string" ? `SQLSTATE ${code} (${constraint})` : `SQLSTATE ${code}`);
}

/**
 * Values a review record may carry but the typed columns cannot hold (an absurd amount, a
 * rate of 250%, year 0) are left out of those columns; the full record stays in
 * review_queue.record. Each is rounded as its column rounds before the range is checked, so
 * that 99.9995% is not stored as 100.000 against the column's CHECK.
 */
function money(v: number | null | undefined): number | null {
  if (v === null || v === undefined || !Number.isFinite(v)) return null;
  const cents = Math.round(v * 100) / 100;
  // numeric(14, 2) holds less than 10^12.
  return Math.abs(cents) >= 1e12 ? null : cents;
}

function rate(v: number | null | undefined): number | null {
  if (v === null || v === undefined || !Number.isFinite(v)) return null;
  const rounded = Math.round(v * 1000) / 1000;
  return rounded < 0 || rounded >= 100 ? null : rounded;
}

/** PostgreSQL's date has no year 0, and the schema's ISO dates have four-digit years. */
function date(v: string | null | undefined): string | null {
  return v === null || v === undefined || !/^\d{4}-\d{2}-\d{2}$/.test(v) || v.startsWith("0000") ? null : v;
}

/** PostgreSQL text and jsonb cannot hold NUL; a model can emit one. */
function withoutNul(_key: string, value: unknown): unknown {
  return typeof value === "string" ? value.replaceAll("\u0000", "") : value;
}

export function serialiseForSql(rows: readonly unknown[]): string {
  return JSON.stringify(rows, withoutNul);
}

function toInputRow(row: RecordRow): Record<string, unknown> {
  const r = row.record;
  return {
    document_id: row.documentId,
    tenant_id: row.tenantId,
    content_sha256: row.contentSha256,
    status: row.status,
    liability_type: r?.liability_type ?? null,
    lender_name: r?.lender_name ?? null,
    account_last4: r?.account_last4 ?? null,
    current_balance: money(r?.current_balance),
    payoff_amount: money(r?.payoff_amount),
    payoff_good_through: date(r?.payoff_good_through),
    escrow_balance: money(r?.escrow_balance),
    interest_rate: rate(r?.interest_rate),
    monthly_payment: money(r?.monthly_payment),
    next_due_date: date(r?.next_due_date),
    as_of_date: date(r?.as_of_date),
    model_id: row.modelId,
    model_version: row.modelVersion,
    prompt_version: row.promptVersion,
    confidence: row.confidence === null || row.confidence < 0 || row.confidence > 1 ? null : row.confidence,
    field_confidence: row.fieldConfidence,
    citations: row.citations ?? {},
    trace_id: row.traceId,
    kafka_topic: row.kafkaTopic,
    kafka_partition: row.kafkaPartition,
    kafka_offset: row.kafkaOffset,
    review_reasons: row.reviewReasons,
    raw_model_output: row.rawModelOutput,
    record: r,
    shadow: row.shadow,
    review_kind: row.reviewDocument?.kind ?? null,
    review_text: row.reviewDocument?.text ?? null,
    review_received_at: row.reviewDocument ? new Date(row.reviewDocument.receivedAtMs).toISOString() : null,
    outbox_topic: row.outbox.topic,
    outbox_payload: Buffer.from(row.outbox.payload).toString("base64"),
    outbox_headers: row.outbox.headers,
  };
}

function toAttemptRow(row: AttemptRow): Record<string, unknown> {
  return {
    document_id: row.documentId,
    tenant_id: row.tenantId,
    attempt: row.attempt,
    outcome: row.outcome,
    error_code: row.errorCode,
    latency_ms: row.latencyMs === null ? null : Math.round(row.latencyMs),
    model_version: row.modelVersion,
    trace_id: row.traceId,
  };
}
