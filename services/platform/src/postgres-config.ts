import { readFileSync } from "node:fs";
import type { PoolConfig } from "pg";
import { z } from "zod";
import { envPositiveInt } from "./config.ts";

/** The local stack's worker login (infra/local): a default for a developer's machine only. */
export const LOCAL_DATABASE_URL = "postgres://lre_worker:lre_worker@127.0.0.1:15432/liability";

/**
 * PostgreSQL connection; TLS is configuration only. Outside DEPLOYMENT_PROFILE=local the
 * connection string (and so its password) must be given: the local default is refused.
 */
export const postgresConfigSchema = z
  .object({
    DEPLOYMENT_PROFILE: z.enum(["local", "production"]).default("local"),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, "expected a postgres:// connection URL")
      .default(LOCAL_DATABASE_URL),
    DATABASE_TLS: z.enum(["disable", "require", "verify-full"]).default("disable"),
    DATABASE_TLS_CA_FILE: z.string().optional(),
    DATABASE_POOL_MAX: envPositiveInt.default(10),
  })
  .superRefine((c, ctx) => {
    // node-postgres lets the URL's ssl parameters override the pool's TLS settings, so a stray
    // "?sslmode=disable" would silently turn verify-full off.
    const tlsInUrl = [...new URL(c.DATABASE_URL).searchParams.keys()].filter((key) => key === "ssl" || key.startsWith("ssl"));
    if (tlsInUrl.length > 0) {
      ctx.addIssue({
        code: "custom",
        path: ["DATABASE_URL"],
        message: `set TLS with DATABASE_TLS and DATABASE_TLS_CA_FILE, not in the URL (${tlsInUrl.join(", ")})`,
      });
    }
    if (c.DEPLOYMENT_PROFILE !== "local" && new URL(c.DATABASE_URL).password === new URL(LOCAL_DATABASE_URL).password) {
      ctx.addIssue({
        code: "custom",
        path: ["DATABASE_URL"],
        message: "DATABASE_URL with the worker's own password is required outside DEPLOYMENT_PROFILE=local",
      });
    }
    if (c.DEPLOYMENT_PROFILE !== "local" && c.DATABASE_TLS === "disable") {
      ctx.addIssue({ code: "custom", path: ["DATABASE_TLS"], message: "DATABASE_TLS=verify-full (or require) outside DEPLOYMENT_PROFILE=local" });
    }
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
