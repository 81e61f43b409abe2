import pg from "pg";
import { migrateUp } from "@liability/db";

/**
 * A PostgreSQL schema of its own for each load-test run: the worker writes there
 * (DATABASE_SCHEMA), so a run neither sees nor disturbs other runs' or other tests' rows —
 * in particular an outbox row left unpublished by one run cannot hold up another's relay.
 * The schema is dropped afterwards unless kept for inspection.
 */
export async function createRunSchema(adminUrl: string, schema: string): Promise<void> {
  await migrateUp(adminUrl, { schema });
}

export async function dropRunSchema(adminUrl: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
  } finally {
    await client.end();
  }
}

export interface TableSize {
  table: string;
  rows: number;
  /** Heap, indexes and TOAST. */
  totalBytes: number;
  bytesPerRow: number;
}

/** Sizes of the run's tables, for the storage-growth part of the capacity model. */
export async function tableSizes(adminUrl: string, schema: string): Promise<TableSize[]> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const tables = ["liability_records", "review_queue", "extraction_attempts", "outbox"];
    const out: TableSize[] = [];
    for (const table of tables) {
      const qualified = `${pg.escapeIdentifier(schema)}.${pg.escapeIdentifier(table)}`;
      const { rows } = await client.query<{ rows: string; bytes: string }>(
        `SELECT (SELECT count(*) FROM ${qualified}) AS rows, pg_total_relation_size($1::regclass) AS bytes`,
        [qualified],
      );
      const n = Number(rows[0]!.rows);
      const bytes = Number(rows[0]!.bytes);
      out.push({ table, rows: n, totalBytes: bytes, bytesPerRow: n > 0 ? Math.round(bytes / n) : 0 });
    }
    return out;
  } finally {
    await client.end();
  }
}
