import pg from "pg";
import type { PoolConfig } from "pg";
import { inTransaction } from "@liability/platform";
import type { DocumentKind, LiabilityRecord } from "@liability/domain";
import type { Reviewer } from "./auth.ts";
import type { FieldCitations, FieldProblem, Resolution } from "./review-rules.ts";

/** One review reason as the worker stores it in review_queue.reasons. */
export interface StoredReason {
  readonly code: string;
  readonly rule: string;
  readonly field?: string | null;
  readonly message: string;
}

export interface QueueFilters {
  /** A rule name (e.g. grounding.ungrounded_value): items with at least one reason of that rule. */
  readonly reason?: string | undefined;
  readonly kind?: DocumentKind | undefined;
  /** Part of the lender name the model read, case-insensitive. */
  readonly lender?: string | undefined;
  /** Only items waiting at least this many hours. */
  readonly minAgeHours?: number | undefined;
  readonly shadow?: boolean | undefined;
}

export interface QueueEntry {
  readonly id: string;
  readonly documentId: string;
  readonly kind: DocumentKind | null;
  readonly lender: string | null;
  readonly reasons: readonly StoredReason[];
  readonly shadow: boolean;
  readonly createdAt: Date;
}

export interface QueueView {
  readonly entries: readonly QueueEntry[];
  /** Open items per rule, over the whole queue (not the filters). */
  readonly reasonCounts: readonly { readonly rule: string; readonly count: number }[];
  readonly shadow: ShadowErrorRate;
}

/** Resolved shadow items and how many of them the reviewers corrected or rejected: the accepted records' measured error rate. */
export interface ShadowErrorRate {
  readonly reviewed: number;
  readonly wrong: number;
}

export interface ReviewItem {
  readonly id: string;
  readonly documentId: string;
  readonly tenantId: string;
  readonly kind: DocumentKind | null;
  readonly status: "pending" | "in_review" | "resolved" | "rejected";
  readonly shadow: boolean;
  readonly reasons: readonly StoredReason[];
  /** The model's record as the worker validated it; null when the output did not match the schema. */
  readonly record: LiabilityRecord | null;
  readonly rawModelOutput: string | null;
  /** Null once the retention deleted it. */
  readonly text: string | null;
  /** When upstream received the document (the date rules' reference); the item's creation once the text is gone. */
  readonly receivedAt: Date;
  readonly modelId: string | null;
  readonly modelVersion: string | null;
  readonly promptVersion: string | null;
  readonly confidence: number | null;
  readonly fieldConfidence: Readonly<Record<string, number>> | null;
  readonly createdAt: Date;
  readonly reviewer: string | null;
  readonly reviewedAt: Date | null;
  readonly resolution: Resolution | null;
  /** The neighbouring open items in queue order, for j/k. */
  readonly previousId: string | null;
  readonly nextId: string | null;
}

/** What a resolution plan (the pure decision over the locked item) asks the store to write. */
export type ResolutionPlan =
  /** `citations`: where the final record's values are stated, stored with the record as the worker stores its own. */
  | { readonly kind: "resolve"; readonly resolution: Resolution; readonly citations: FieldCitations }
  | { readonly kind: "refuse"; readonly problems: readonly FieldProblem[] };

export type ResolveResult =
  | { readonly kind: "resolved"; readonly resolution: Resolution }
  | { readonly kind: "refused"; readonly problems: readonly FieldProblem[] }
  | { readonly kind: "not_found" }
  | { readonly kind: "already_resolved" };

/** The outbox row that goes with a resolution. */
export interface OutboxEvent {
  readonly topic: string;
  readonly payload: Uint8Array;
  readonly headers: Readonly<Record<string, string>>;
}

const OPEN = "status IN ('pending', 'in_review')";

const ITEM_SQL = `
SELECT q.id::text, q.document_id, q.tenant_id, q.kind, q.status, q.shadow, q.reasons, q.record, q.raw_model_output,
       d.text, COALESCE(d.received_at, q.created_at) AS received_at, r.model_id, r.model_version, r.prompt_version, r.confidence::float8 AS confidence, r.field_confidence,
       q.created_at, q.reviewer, q.reviewed_at, q.resolution,
       (SELECT p.id::text FROM review_queue p WHERE p.${OPEN} AND (p.created_at, p.id) < (q.created_at, q.id)
         ORDER BY p.created_at DESC, p.id DESC LIMIT 1) AS previous_id,
       (SELECT n.id::text FROM review_queue n WHERE n.${OPEN} AND (n.created_at, n.id) > (q.created_at, q.id)
         ORDER BY n.created_at, n.id LIMIT 1) AS next_id
  FROM review_queue q
  LEFT JOIN review_documents d USING (tenant_id, document_id)
  LEFT JOIN liability_records r USING (tenant_id, document_id)
 WHERE q.id = $1`;

interface ItemRow {
  id: string;
  document_id: string;
  tenant_id: string;
  kind: DocumentKind | null;
  status: ReviewItem["status"];
  shadow: boolean;
  reasons: StoredReason[];
  record: LiabilityRecord | null;
  raw_model_output: string | null;
  text: string | null;
  received_at: Date;
  model_id: string | null;
  model_version: string | null;
  prompt_version: string | null;
  confidence: number | null;
  field_confidence: Record<string, number> | null;
  created_at: Date;
  reviewer: string | null;
  reviewed_at: Date | null;
  resolution: Resolution | null;
  previous_id: string | null;
  next_id: string | null;
}

function itemOf(r: ItemRow): ReviewItem {
  return {
    id: r.id,
    documentId: r.document_id,
    tenantId: r.tenant_id,
    kind: r.kind,
    status: r.status,
    shadow: r.shadow,
    reasons: r.reasons,
    record: r.record,
    rawModelOutput: r.raw_model_output,
    text: r.text,
    receivedAt: r.received_at,
    modelId: r.model_id,
    modelVersion: r.model_version,
    promptVersion: r.prompt_version,
    confidence: r.confidence,
    fieldConfidence: r.field_confidence,
    createdAt: r.created_at,
    reviewer: r.reviewer,
    reviewedAt: r.reviewed_at,
    resolution: r.resolution,
    previousId: r.previous_id,
    nextId: r.next_id,
  };
}

/**
 * PostgreSQL as the lre_reviewer role. Every call is one transaction that first sets
 * app.tenant_id (SET LOCAL) to the reviewer's tenant: the row-level-security policies show and
 * let change that tenant's rows only, whatever the SQL asks for.
 */
export class ReviewStore {
  readonly #pool: pg.Pool;

  constructor(config: PoolConfig, schema: string) {
    this.#pool = new pg.Pool({ ...config, options: `-c search_path=${schema}`, connectionTimeoutMillis: 5_000 });
    // An idle client losing its connection must not crash the process; the next query reconnects.
    this.#pool.on("error", () => {});
  }

  /** One transaction as the tenant: row-level security sees only its rows. */
  #asTenant<T>(tenantId: string, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    return inTransaction(this.#pool, async (client) => {
      await client.query("SELECT set_config('app.tenant_id', $1, true)", [tenantId]);
      return fn(client);
    });
  }

  /** Open items of the reviewer's tenant, oldest first, with the counts per rule and the shadow error rate. */
  queue(reviewer: Reviewer, filters: QueueFilters, limit = 200): Promise<QueueView> {
    return this.#asTenant(reviewer.tenantId, async (c) => {
      const entries = await c.query<{
        id: string;
        document_id: string;
        kind: DocumentKind | null;
        lender: string | null;
        reasons: StoredReason[];
        shadow: boolean;
        created_at: Date;
      }>(
        `SELECT id::text, document_id, kind, record ->> 'lender_name' AS lender, reasons, shadow, created_at
           FROM review_queue
          WHERE ${OPEN}
            AND ($1::text IS NULL OR EXISTS (SELECT 1 FROM jsonb_array_elements(reasons) r WHERE r ->> 'rule' = $1))
            AND ($2::text IS NULL OR kind = $2)
            AND ($3::text IS NULL OR strpos(lower(record ->> 'lender_name'), lower($3)) > 0)
            AND ($4::float8 IS NULL OR created_at <= now() - make_interval(secs => $4 * 3600))
            AND ($5::boolean IS NULL OR shadow = $5)
          ORDER BY created_at, id
          LIMIT $6`,
        [filters.reason ?? null, filters.kind ?? null, filters.lender ?? null, filters.minAgeHours ?? null, filters.shadow ?? null, limit],
      );
      const counts = await c.query<{ rule: string; n: number }>(
        `SELECT r ->> 'rule' AS rule, count(DISTINCT q.id)::int AS n
           FROM review_queue q, jsonb_array_elements(q.reasons) r
          WHERE q.${OPEN}
          GROUP BY 1 ORDER BY 2 DESC, 1`,
      );
      return {
        entries: entries.rows.map((r) => ({
          id: r.id,
          documentId: r.document_id,
          kind: r.kind,
          lender: r.lender,
          reasons: r.reasons,
          shadow: r.shadow,
          createdAt: r.created_at,
        })),
        reasonCounts: counts.rows.map((r) => ({ rule: r.rule, count: r.n })),
        shadow: await shadowErrorRate(c),
      };
    });
  }

  /** One item of the reviewer's tenant (open or resolved), or null: another tenant's item does not exist for them. */
  item(reviewer: Reviewer, id: string): Promise<ReviewItem | null> {
    return this.#asTenant(reviewer.tenantId, async (c) => {
      const result = await c.query<ItemRow>(ITEM_SQL, [id]);
      return result.rows[0] ? itemOf(result.rows[0]) : null;
    });
  }

  /**
   * Resolves an open item in one transaction: locks it, asks `plan` (pure) what to do with it,
   * then writes the decision on the item, the record (updated once: the item can be resolved only
   * once), the outbox event and the audit row. Nothing is written unless all of it commits.
   */
  resolve(
    reviewer: Reviewer,
    id: string,
    plan: (item: ReviewItem) => ResolutionPlan,
    event: (item: ReviewItem, resolution: Resolution, reviewedAt: Date) => OutboxEvent,
  ): Promise<ResolveResult> {
    return this.#asTenant(reviewer.tenantId, async (c): Promise<ResolveResult> => {
      const locked = await c.query<{ status: string }>("SELECT status FROM review_queue WHERE id = $1 FOR UPDATE", [id]);
      if (!locked.rows[0]) return { kind: "not_found" };
      if (locked.rows[0].status !== "pending" && locked.rows[0].status !== "in_review") return { kind: "already_resolved" };
      const item = itemOf((await c.query<ItemRow>(ITEM_SQL, [id])).rows[0]!);
      const decided = plan(item);
      if (decided.kind === "refuse") return { kind: "refused", problems: decided.problems };
      const { resolution } = decided;
      const reviewedAt = (await c.query<{ now: Date }>("SELECT now()")).rows[0]!.now;
      const rejected = resolution.decision === "reject";
      await c.query(`UPDATE review_queue SET status = $2, reviewer = $3, reviewed_at = $4, resolution = $5 WHERE id = $1 AND ${OPEN}`, [
        id,
        rejected ? "rejected" : "resolved",
        reviewer.username,
        reviewedAt,
        JSON.stringify(resolution),
      ]);
      await writeRecord(c, item, resolution, decided.citations);
      const outbox = event(item, resolution, reviewedAt);
      await c.query("INSERT INTO outbox (aggregate_key, topic, payload, headers) VALUES ($1, $2, $3, $4)", [
        item.documentId,
        outbox.topic,
        Buffer.from(outbox.payload),
        outbox.headers,
      ]);
      await c.query(
        "INSERT INTO review_audit (tenant_id, review_item_id, document_id, reviewer, action, changed_fields, at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        [item.tenantId, id, item.documentId, reviewer.username, resolution.decision, resolution.corrected_fields, reviewedAt],
      );
      return { kind: "resolved", resolution };
    });
  }

  /** Deletes document texts whose reviews were all resolved more than `days` ago (the retention); returns how many. */
  async pruneDocuments(days: number, maxRows = 1_000): Promise<number> {
    const result = await this.#pool.query<{ n: number }>("SELECT prune_review_documents(make_interval(days => $1), $2) AS n", [days, maxRows]);
    return result.rows[0]!.n;
  }

  async ping(): Promise<boolean> {
    try {
      await this.#pool.query("SELECT 1");
      return true;
    } catch {
      return false;
    }
  }

  end(): Promise<void> {
    return this.#pool.end();
  }
}

async function shadowErrorRate(c: pg.PoolClient): Promise<ShadowErrorRate> {
  const result = await c.query<{ reviewed: number; wrong: number }>(
    `SELECT count(*)::int AS reviewed,
            count(*) FILTER (WHERE resolution ->> 'decision' IN ('correct', 'reject'))::int AS wrong
       FROM review_queue WHERE shadow AND status IN ('resolved', 'rejected')`,
  );
  return result.rows[0]!;
}

/** The record after the decision: the reviewer's values, accepted; or rejected (the row stays, so a redelivery is still a duplicate). */
async function writeRecord(c: pg.PoolClient, item: ReviewItem, resolution: Resolution, citations: FieldCitations): Promise<void> {
  const r = resolution.record;
  if (resolution.decision === "reject" || r === null) {
    await c.query("UPDATE liability_records SET status = 'rejected' WHERE tenant_id = $1 AND document_id = $2", [item.tenantId, item.documentId]);
    return;
  }
  await c.query(
    `UPDATE liability_records
        SET status = 'accepted', liability_type = $3, lender_name = $4, account_last4 = $5, current_balance = $6, payoff_amount = $7,
            payoff_good_through = $8, escrow_balance = $9, interest_rate = $10, monthly_payment = $11, next_due_date = $12, as_of_date = $13,
            citations = $14
      WHERE tenant_id = $1 AND document_id = $2`,
    [
      item.tenantId,
      item.documentId,
      r.liability_type,
      r.lender_name,
      r.account_last4,
      r.current_balance,
      r.payoff_amount,
      r.payoff_good_through,
      r.escrow_balance,
      r.interest_rate,
      r.monthly_payment,
      r.next_due_date,
      r.as_of_date,
      JSON.stringify(citations),
    ],
  );
}
