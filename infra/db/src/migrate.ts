import { fileURLToPath } from "node:url";
import { runner } from "node-pg-migrate";

export const migrationsDir = fileURLToPath(new URL("../migrations", import.meta.url));

export interface MigrateOptions {
  /** Target schema, created when missing; defaults to public. Tests use one schema each. */
  schema?: string;
  /** Receives progress lines; silent when omitted. */
  log?: (line: string) => void;
}

/**
 * node-pg-migrate serialises runs with one advisory lock per database; deriving the lock from the
 * schema lets parallel tests migrate their own schemas without waiting on each other, while two
 * runs against the same schema still queue up.
 */
function lockValueFor(schema: string): number {
  let h = 0x811c9dc5;
  for (const ch of `lre-migrate:${schema}`) {
    h ^= ch.codePointAt(0) ?? 0;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** Applies all pending migrations; a second call is a no-op. Returns the names applied. */
export async function migrateUp(databaseUrl: string, options: MigrateOptions = {}): Promise<string[]> {
  const schema = options.schema ?? "public";
  const log = options.log ?? (() => {});
  const applied = await runner({
    databaseUrl,
    dir: migrationsDir,
    direction: "up",
    migrationsTable: "pgmigrations",
    schema,
    createSchema: true,
    checkOrder: true,
    singleTransaction: true,
    lockValue: lockValueFor(schema),
    advisoryLockMode: "wait",
    logger: { debug: () => {}, info: log, warn: log, error: log },
  });
  return applied.map((m) => m.name);
}

/** Reverts every migration in the schema; for tests and local resets, never production. */
export async function migrateDownAll(databaseUrl: string, options: MigrateOptions = {}): Promise<string[]> {
  const schema = options.schema ?? "public";
  const log = options.log ?? (() => {});
  const reverted = await runner({
    databaseUrl,
    dir: migrationsDir,
    direction: "down",
    count: Infinity,
    migrationsTable: "pgmigrations",
    schema,
    singleTransaction: true,
    lockValue: lockValueFor(schema),
    advisoryLockMode: "wait",
    logger: { debug: () => {}, info: log, warn: log, error: log },
  });
  return reverted.map((m) => m.name);
}
