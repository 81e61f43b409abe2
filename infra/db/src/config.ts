import { z } from "zod";

const postgresUrl = z.string().regex(/^postgres(ql)?:\/\//, "expected a postgres:// connection URL");

/**
 * What the migrate command needs. The defaults describe the local stack from infra/local; the
 * passwords are local-only and come from a secret store anywhere else.
 */
export const dbAdminConfigSchema = z.object({
  DATABASE_ADMIN_URL: postgresUrl.default("postgres://lre_admin:lre_admin@127.0.0.1:15432/liability"),
  DATABASE_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, "expected a lower-case SQL identifier")
    .default("public"),
  LRE_PG_WORKER_PASSWORD: z.string().min(8, "must be at least 8 characters").default("lre_worker"),
  LRE_PG_REVIEWER_PASSWORD: z.string().min(8, "must be at least 8 characters").default("lre_reviewer"),
  /** When set (with its password and tenant), a tenant reader login is provisioned too. */
  LRE_PG_READER_ROLE: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, "expected a lower-case SQL identifier")
    .optional(),
  LRE_PG_READER_PASSWORD: z.string().min(8, "must be at least 8 characters").optional(),
  LRE_PG_READER_TENANT: z.string().min(1).optional(),
});
export type DbAdminConfig = z.infer<typeof dbAdminConfigSchema>;

export function loadDbAdminConfig(env: Readonly<Record<string, string | undefined>> = process.env): DbAdminConfig {
  const input = Object.fromEntries(Object.keys(dbAdminConfigSchema.shape).map((k) => [k, env[k] === "" ? undefined : env[k]]));
  const result = dbAdminConfigSchema.safeParse(input);
  if (!result.success) {
    // Values are never echoed: several of these variables are secrets.
    const lines = result.error.issues.map((i) => `  ${i.path.join(".") || "(environment)"}: ${i.message}`);
    throw new Error(`invalid configuration:\n${lines.join("\n")}`);
  }
  const c = result.data;
  const readerParts = [c.LRE_PG_READER_ROLE, c.LRE_PG_READER_PASSWORD, c.LRE_PG_READER_TENANT];
  if (readerParts.some((v) => v !== undefined) && readerParts.some((v) => v === undefined)) {
    throw new Error("invalid configuration:\n  LRE_PG_READER_ROLE: LRE_PG_READER_ROLE, LRE_PG_READER_PASSWORD and LRE_PG_READER_TENANT go together");
  }
  return c;
}
