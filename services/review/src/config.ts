import { DEFAULT_TOPICS } from "@liability/contracts";
import { ConfigError, envPositiveInt, loadConfig, postgresConfigSchema } from "@liability/platform";
import type { PostgresConfig } from "@liability/platform";
import { z } from "zod";
import { isPasswordHash } from "./passwords.ts";

/** The local stack's reviewer login (infra/db migrate sets it): a default for a developer's machine only. */
export const LOCAL_REVIEW_DATABASE_URL = "postgres://lre_reviewer:lre_reviewer@127.0.0.1:15432/liability";

const localUserSchema = z.object({
  username: z.string().regex(/^[a-z0-9._@-]{1,64}$/, "lower-case letters, digits and . _ @ -"),
  tenant: z.string().min(1),
  /** From `node services/review/src/hash-password.ts`; never the password itself. */
  password_hash: z.string().refine(isPasswordHash, "expected a scrypt hash from services/review/src/hash-password.ts"),
});
export type LocalUser = z.infer<typeof localUserSchema>;

/** Settings of the review console; the PostgreSQL connection (TLS, pool) comes from the platform schema. */
export const reviewSettingsSchema = z.object({
  DEPLOYMENT_PROFILE: z.enum(["local", "production"]).default("local"),
  /** Connection string of the reviewer role (lre_reviewer), never the worker's. */
  REVIEW_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "expected a postgres:// connection URL")
    .default(LOCAL_REVIEW_DATABASE_URL),
  DATABASE_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, "expected a lower-case SQL identifier")
    .default("public"),
  REVIEW_HOST: z.string().min(1).default("127.0.0.1"),
  /** 0 picks a free port (tests). */
  REVIEW_PORT: z.coerce.number().int().min(0).max(65_535).default(8090),
  /** Key that signs session cookies and CSRF tokens: 32 characters or more, from a secret store. Unset locally: one per start. */
  REVIEW_SESSION_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  REVIEW_SESSION_TTL_MINUTES: envPositiveInt.default(480),
  /**
   * The local login's users, as JSON: [{"username": "ana", "tenant": "tenant-a", "password_hash":
   * "scrypt$…"}]. For development and small installations; an OIDC provider plugs in as another Authenticator.
   */
  REVIEW_LOCAL_USERS: z
    .string()
    .default("[]")
    .transform((v, ctx) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(v);
      } catch {
        ctx.addIssue({ code: "custom", message: 'not JSON; expected [{"username", "tenant", "password_hash"}, …]' });
        return z.NEVER;
      }
      const result = z.array(localUserSchema).safeParse(parsed);
      if (!result.success) {
        ctx.addIssue({ code: "custom", message: result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ") });
        return z.NEVER;
      }
      return result.data;
    }),
  /** Topic of the LiabilityRecorded events a resolution sends through the outbox (the worker's relay publishes them). */
  KAFKA_TOPIC_LIABILITY_RECORDED: z.string().min(1).default(DEFAULT_TOPICS.liabilityRecorded),
  /** Document texts are deleted this many days after their last review was resolved. */
  REVIEW_DOCUMENT_RETENTION_DAYS: envPositiveInt.default(30),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

export interface ReviewConfig extends z.infer<typeof reviewSettingsSchema> {
  readonly database: PostgresConfig;
  /** Always set: REVIEW_SESSION_SECRET, or (local profile only) a random one for this process. */
  readonly sessionSecret: string;
  /** Cookies only over HTTPS, except on a developer's machine. */
  readonly secureCookies: boolean;
}

/** Reads and validates the environment once; everything else receives the result. */
export function loadReviewConfig(env: Readonly<Record<string, string | undefined>> = process.env, randomSecret: () => string): ReviewConfig {
  const settings = loadConfig(reviewSettingsSchema, env);
  const database = loadConfig(postgresConfigSchema, { ...env, DATABASE_URL: settings.REVIEW_DATABASE_URL });
  const issues: string[] = [];
  if (settings.DEPLOYMENT_PROFILE !== "local") {
    if (settings.REVIEW_SESSION_SECRET === undefined) issues.push("REVIEW_SESSION_SECRET: required outside DEPLOYMENT_PROFILE=local");
    if (new URL(settings.REVIEW_DATABASE_URL).password === new URL(LOCAL_REVIEW_DATABASE_URL).password) {
      issues.push("REVIEW_DATABASE_URL: the reviewer's own password is required outside DEPLOYMENT_PROFILE=local");
    }
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return {
    ...settings,
    database,
    sessionSecret: settings.REVIEW_SESSION_SECRET ?? randomSecret(),
    secureCookies: settings.DEPLOYMENT_PROFILE !== "local",
  };
}
