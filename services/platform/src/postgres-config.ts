import { readFileSync } from "node:fs";
import type { PoolConfig } from "pg";
import { z } from "zod";
import { envPositiveInt } from "./config.ts";

/** PostgreSQL connection; TLS is configuration only. */
export const postgresConfigSchema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "expected a postgres:// connection URL")
    .default("postgres://lre_worker:lre_worker@127.0.0.1:15432/liability"),
  DATABASE_TLS: z.enum(["disable", "require", "verify-full"]).default("disable"),
  DATABASE_TLS_CA_FILE: z.string().optional(),
  DATABASE_POOL_MAX: envPositiveInt.default(10),
});

export type PostgresConfig = z.infer<typeof postgresConfigSchema>;

export function postgresPoolConfig(config: PostgresConfig, applicationName: string): PoolConfig {
  const ssl =
    config.DATABASE_TLS === "disable"
      ? false
      : {
          rejectUnauthorized: config.DATABASE_TLS === "verify-full",
          ...(config.DATABASE_TLS_CA_FILE ? { ca: readFileSync(config.DATABASE_TLS_CA_FILE, "utf8") } : {}),
        };
  return {
    connectionString: config.DATABASE_URL,
    ssl,
    max: config.DATABASE_POOL_MAX,
    application_name: applicationName,
  };
}
