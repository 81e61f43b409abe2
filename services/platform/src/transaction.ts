import type pg from "pg";

export interface TransactionOptions {
  /** The statement that opens it, e.g. with SET LOCAL settings; "BEGIN" by default. */
  readonly begin?: string;
  /** How it ends when the work returns: COMMIT by default; ROLLBACK for a probe that must leave nothing behind. */
  readonly end?: "COMMIT" | "ROLLBACK";
}

/**
 * Runs `work` in one transaction on a client of `pool`, and rolls back when it throws. A client
 * whose connection failed mid-transaction (the rollback itself fails) is destroyed, not handed
 * back to the pool for the next caller.
 */
export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query(options.begin ?? "BEGIN");
    const result = await work(client);
    await client.query(options.end ?? "COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {
      broken = true;
    });
    throw error;
  } finally {
    client.release(broken ? true : undefined);
  }
}
