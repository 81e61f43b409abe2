import { DEFAULT_TOPICS } from "@liability/contracts";
import { z } from "zod";
import { envList, kafkaConfigSchema, postgresConfigSchema } from "@liability/platform";

/** One --target: `name=address[,price=USD][,unit=gpu-hour|cpu-hour]`; address `pipeline` means the whole system. */
export interface TargetSpec {
  name: string;
  address: string;
  pipeline: boolean;
  pricePerHour: number | null;
  unit: "gpu-hour" | "cpu-hour" | null;
}

export class UsageError extends Error {}

export function parseTargetSpec(spec: string): TargetSpec {
  const eq = spec.indexOf("=");
  if (eq <= 0) throw new UsageError(`--target ${spec}: expected name=address (e.g. base=unix:///tmp/lre-inference/inference.sock)`);
  const name = spec.slice(0, eq);
  if (!/^[\w.+-]{1,40}$/.test(name)) throw new UsageError(`--target ${spec}: name may use letters, digits, . + - _`);
  const [address, ...opts] = spec.slice(eq + 1).split(",");
  if (!address) throw new UsageError(`--target ${spec}: missing address`);
  const out: TargetSpec = { name, address, pipeline: address === "pipeline", pricePerHour: null, unit: null };
  for (const opt of opts) {
    const [k, v] = opt.split("=");
    if (k === "price" && v !== undefined && Number.isFinite(Number(v)) && Number(v) >= 0) out.pricePerHour = Number(v);
    else if (k === "unit" && (v === "gpu-hour" || v === "cpu-hour")) out.unit = v;
    else throw new UsageError(`--target ${spec}: unknown option ${opt} (price=USD, unit=gpu-hour|cpu-hour)`);
  }
  if (!out.pipeline && !/^(unix:.+|[^\s:]+:\d{1,5})$/.test(address)) {
    throw new UsageError(`--target ${spec}: address must be unix:///path.sock, host:port or pipeline`);
  }
  return out;
}

export const cliSchema = z.object({
  data: z.string().min(1, "--data is required"),
  targets: z.array(z.string()).min(1, "at least one --target is required"),
  concurrency: z.coerce.number().int().positive().max(256),
  limit: z.coerce.number().int().positive().optional(),
  "deadline-ms": z.coerce.number().int().positive(),
  "ready-timeout-ms": z.coerce.number().int().positive(),
  "price-per-hour": z.coerce.number().min(0),
  "price-unit": z.enum(["gpu-hour", "cpu-hour"]),
  validate: z.boolean(),
  worst: z.coerce.number().int().min(0),
  json: z.string().optional(),
  markdown: z.string().optional(),
  predictions: z.string().min(1).optional(),
  progress: z.boolean(),
  "timeout-s": z.coerce.number().int().positive(),
  tenant: z.string().min(1).max(100),
});

export type CliOptions = z.infer<typeof cliSchema>;

/** Environment for the whole-pipeline mode: the same variables the worker reads. */
export const pipelineEnvSchema = z.object({
  ...postgresConfigSchema.shape,
  KAFKA_TOPIC_DOCUMENTS: z.string().min(1).default(DEFAULT_TOPICS.documents),
  DATABASE_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/)
    .default("public"),
  EVAL_POLL_MS: z.coerce.number().int().positive().default(500),
});

export { kafkaConfigSchema, envList };
