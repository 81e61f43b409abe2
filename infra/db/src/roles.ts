import pg from "pg";
import { scramSha256Verifier } from "./scram.ts";

/** The roles the migrations create; they carry privileges, logins are granted separately. */
export const WORKER_ROLE = "lre_worker";
export const READER_ROLE = "lre_reader";
/** Operators who replay dead letters (the replay ledger only); their own logins are its members. */
export const REPLAYER_ROLE = "lre_replayer";
export const REVIEWER_ROLE = "lre_reviewer";

async function withClient<T>(databaseUrl: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * Lets the worker role log in with the given password. Run by the admin after migrations; in a
 * managed database this step belongs to whoever holds the secrets, not to the migrations.
 */
export async function setWorkerLogin(adminUrl: string, password: string): Promise<void> {
  await setLogin(adminUrl, WORKER_ROLE, password);
}

/** Lets the review console's role (lre_reviewer) log in with the given password; as setWorkerLogin. */
export async function setReviewerLogin(adminUrl: string, password: string): Promise<void> {
  await setLogin(adminUrl, REVIEWER_ROLE, password);
}

async function setLogin(adminUrl: string, role: string, password: string): Promise<void> {
  await withClient(adminUrl, async (c) => {
    // ALTER ROLE takes no bind parameters, and only the verifier is sent (see scram.ts).
    await c.query(`ALTER ROLE ${role} WITH LOGIN PASSWORD ${c.escapeLiteral(scramSha256Verifier(password))}`);
  });
}

export interface TenantReader {
  /** Login role name, e.g. lre_reader_acme. */
  role: string;
  password: string;
  tenantId: string;
  /** Schema whose tenant_readers mapping is written; defaults to public. */
  schema?: string;
}

/**
 * Creates (or updates) a downstream reader's login role, a member of lre_reader, and maps it to
 * one tenant. Row-level security then shows it only that tenant's records.
 */
export async function upsertTenantReader(adminUrl: string, reader: TenantReader): Promise<void> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(reader.role)) {
    throw new Error("reader role must be a lower-case SQL identifier");
  }
  await withClient(adminUrl, async (c) => {
    const role = c.escapeIdentifier(reader.role);
    const password = c.escapeLiteral(scramSha256Verifier(reader.password));
    const exists = await c.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [reader.role]);
    try {
      if (exists.rowCount === 0) {
        await c.query(`CREATE ROLE ${role} LOGIN PASSWORD ${password} IN ROLE ${READER_ROLE}`);
      }
    } catch (err) {
      // Another process created it between the check and the CREATE; the ALTER below still applies.
      if ((err as { code?: string }).code !== "42710" && (err as { code?: string }).code !== "23505") throw err;
    }
    await c.query(`ALTER ROLE ${role} WITH LOGIN PASSWORD ${password}`);
    await c.query(`GRANT ${READER_ROLE} TO ${role}`);
    const table = `${c.escapeIdentifier(reader.schema ?? "public")}.tenant_readers`;
    await c.query(
      `INSERT INTO ${table} (role_name, tenant_id) VALUES ($1, $2)
       ON CONFLICT (role_name) DO UPDATE SET tenant_id = EXCLUDED.tenant_id`,
      [reader.role, reader.tenantId],
    );
  });
}
