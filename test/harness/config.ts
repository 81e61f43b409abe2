import { z } from "zod";

const envList = z.string().transform((v) =>
  v
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean),
);

/**
 * Where the integration tests find their services. The defaults are the local stack from
 * infra/local; CI or a developer may point the tests at other instances instead.
 */
export const harnessConfigSchema = z.object({
  KAFKA_BROKERS: envList.pipe(z.array(z.string()).min(1)).default(["127.0.0.1:19092"]),
  TEST_DATABASE_ADMIN_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "expected a postgres:// connection URL")
    .default("postgres://lre_admin:lre_admin@127.0.0.1:15432/liability"),
  LRE_PG_WORKER_PASSWORD: z.string().min(1).default("lre_worker"),
  LRE_PG_REVIEWER_PASSWORD: z.string().min(1).default("lre_reviewer"),
  /** false: never start services, fail fast when they are unreachable. */
  LRE_TEST_START_STACK: z
    .enum(["true", "false"])
    .default("true")
    .transform((v) => v === "true"),
});
export type HarnessConfig = z.infer<typeof harnessConfigSchema>;

let cached: HarnessConfig | undefined;

export function harnessConfig(): HarnessConfig {
  if (cached) return cached;
  const input = Object.fromEntries(Object.keys(harnessConfigSchema.shape).map((k) => [k, process.env[k] === "" ? undefined : process.env[k]]));
  const result = harnessConfigSchema.safeParse(input);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`invalid test harness configuration:\n${lines.join("\n")}`);
  }
  cached = result.data;
  return cached;
}
