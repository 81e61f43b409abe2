import pg from "pg";
import type { PoolConfig } from "pg";
import { DeadLetterCliError } from "./errors.ts";
import type { DeadLetterView, LetterCoordinates } from "./letters.ts";

/**
 * The replay ledger (table dead_letter_replays, migration 1795377900020): a letter is claimed
 * here before it is published, so that it is never replayed twice by accident. The claim is one
 * INSERT against a partial unique index, atomic across operators and runs; --force adds a row
 * marked forced, outside the index. The CLI's login needs role lre_replayer.
 */

export interface ReplayRecord {
  readonly id: string;
  readonly partition: number;
  readonly offset: string;
  readonly forced: boolean;
  readonly replayedBy: string;
  readonly claimedAt: Date;
  readonly publishedAt: Date | null;
  readonly lastError: string | null;
}

export type Claim = { readonly case: "claimed"; readonly id: string } | { readonly case: "already_replayed"; readonly earlier: ReplayRecord };

interface ReplayRow {
  id: string;
  dlq_partition: number;
  dlq_offset: string;
  forced: boolean;
  replayed_by: string;
  claimed_at: Date;
  published_at: Date | null;
  last_error: string | null;
}

const toRecord = (row: ReplayRow): ReplayRecord => ({
  id: row.id,
  partition: row.dlq_partition,
  offset: row.dlq_offset,
  forced: row.forced,
  replayedBy: row.replayed_by,
  claimedAt: row.claimed_at,
  publishedAt: row.published_at,
  lastError: row.last_error,
});

const RECORD_COLUMNS = "id::text, dlq_partition, dlq_offset::text, forced, replayed_by::text, claimed_at, published_at, last_error";

/** PostgreSQL's answers turned into what an operator can act on. */
function ledgerError(error: unknown): DeadLetterCliError {
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === "42501") {
    return new DeadLetterCliError("permission_denied", `this login may not use the replay ledger (${message}); connect as a member of lre_replayer`, {
      cause: error,
    });
  }
  if (code === "42P01") {
    return new DeadLetterCliError("usage", `no replay ledger in this schema (${message}); apply the migrations (npm run db:migrate) or set DATABASE_SCHEMA`, {
      cause: error,
    });
  }
  return new DeadLetterCliError("database_unavailable", `PostgreSQL: ${message}`, { cause: error });
}

export class ReplayLedger {
  readonly #pool: pg.Pool;
  readonly #schema: string;

  constructor(poolConfig: PoolConfig, schema: string) {
    this.#pool = new pg.Pool({ ...poolConfig, max: 2, connectionTimeoutMillis: 10_000 });
    // Idle clients that lose the server emit errors; the next query reports it instead.
    this.#pool.on("error", () => {});
    this.#schema = schema;
  }

  get #table(): string {
    return `${pg.escapeIdentifier(this.#schema)}.dead_letter_replays`;
  }

  async #query<R extends pg.QueryResultRow>(sql: string, params: unknown[]): Promise<R[]> {
    try {
      return (await this.#pool.query<R>(sql, params)).rows;
    } catch (error) {
      throw ledgerError(error);
    }
  }

  /** Fails early, before anything is read or published, when the ledger cannot be used. */
  async check(): Promise<void> {
    await this.#query(`SELECT 1 FROM ${this.#table} LIMIT 0`, []);
  }

  /** Every replay of the given letters, oldest first. */
  async replaysOf(dlqTopic: string, letters: readonly LetterCoordinates[]): Promise<ReplayRecord[]> {
    if (letters.length === 0) return [];
    const rows = await this.#query<ReplayRow>(
      `SELECT ${RECORD_COLUMNS} FROM ${this.#table}
        WHERE dlq_topic = $1 AND (dlq_partition, dlq_offset) IN (SELECT * FROM unnest($2::int[], $3::bigint[]))
        ORDER BY id`,
      [dlqTopic, letters.map((l) => l.partition), letters.map((l) => l.offset)],
    );
    return rows.map(toRecord);
  }

  /** Claims a letter for one replay; `forced` always claims, and says so in the row. */
  async claim(dlqTopic: string, letter: DeadLetterView, targetTopic: string, options: { forced: boolean; note?: string }): Promise<Claim> {
    const rows = await this.#query<{ id: string }>(
      `INSERT INTO ${this.#table} (dlq_topic, dlq_partition, dlq_offset, reason, tenant_id, document_id, target_topic, forced, note)
       VALUES ($1, $2, $3, $4, NULLIF($5, ''), NULLIF($6, ''), $7, $8, $9)
       ON CONFLICT (dlq_topic, dlq_partition, dlq_offset) WHERE NOT forced DO NOTHING
       RETURNING id::text`,
      [
        dlqTopic,
        letter.partition,
        letter.offset,
        letter.reason,
        letter.document?.tenantId ?? "",
        letter.document?.documentId ?? "",
        targetTopic,
        options.forced,
        options.note ?? null,
      ],
    );
    if (rows[0]) return { case: "claimed", id: rows[0].id };
    const earlier = (await this.replaysOf(dlqTopic, [letter])).find((r) => !r.forced);
    // The conflicting row cannot vanish (nobody may delete from the ledger).
    return { case: "already_replayed", earlier: earlier! };
  }

  async markPublished(id: string): Promise<void> {
    await this.#query(`UPDATE ${this.#table} SET published_at = now(), last_error = NULL WHERE id = $1`, [id]);
  }

  async markFailed(id: string, error: string): Promise<void> {
    await this.#query(`UPDATE ${this.#table} SET last_error = left($2, 1000) WHERE id = $1`, [id, error]);
  }

  async close(): Promise<void> {
    await this.#pool.end().catch(() => {});
  }
}
