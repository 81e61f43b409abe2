import { DEFAULT_TOPICS } from "@liability/contracts";
import { parseArgs } from "node:util";
import { z } from "zod";
import { kafkaConfigSchema, loadConfig } from "@liability/platform";
import { latencySpecSchema } from "@liability/test-support";
import { DEFAULT_CORPUS } from "./paths.ts";
import { PROFILE_NAMES } from "./profiles.ts";

/**
 * The driver's settings: command-line flags for what varies between runs (profile, rates,
 * set-up), environment variables (validated with zod, like every service here) for where things
 * are. Flags win over the environment.
 */

const positive = z.coerce.number().positive();
const positiveInt = z.coerce.number().int().positive();

export const envSchema = z.object({
  LOADTEST_TOPIC_DOCUMENTS: z.string().default(DEFAULT_TOPICS.documents),
  LOADTEST_TOPIC_DLQ: z.string().default(DEFAULT_TOPICS.deadLetters),
  LOADTEST_TOPIC_LIABILITY_RECORDED: z.string().default(DEFAULT_TOPICS.liabilityRecorded),
  /** Consumer group of the worker, for consumer lag. */
  LOADTEST_WORKER_GROUP: z.string().default("liability-extraction-worker"),
  /** How to start one worker process; the driver adds the environment that points it at the run's topics and sidecar. */
  LOADTEST_WORKER_COMMAND: z.string().default("node services/worker/src/main.ts"),
  /** How to start one real inference sidecar (services/inference). */
  LOADTEST_SIDECAR_COMMAND: z.string().default("node services/inference/src/main.ts"),
  /** Pid files of the local stack, for CPU and memory per process. */
  LOADTEST_KAFKA_PID_FILE: z.string().default(".cache/kafka/kafka.pid"),
  LOADTEST_POSTGRES_PID_FILE: z.string().default(".cache/postgres/data/postmaster.pid"),
  /** Creates and drops each run's schema; local-stack default, like infra/db's. */
  LOADTEST_DATABASE_ADMIN_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "expected a postgres:// connection URL")
    .default("postgres://lre_admin:lre_admin@127.0.0.1:15432/liability"),
});

export const argsSchema = z.object({
  profile: z.enum(PROFILE_NAMES),
  rate: positive.optional(),
  duration: positive.optional(),
  maxRate: positive.optional(),
  stepS: positive.optional(),
  burstFactor: positive.optional(),
  burstS: positive.optional(),
  /** fake: start FakeInferenceSidecar; external: a sidecar is already running (the real one). */
  sidecar: z.enum(["fake", "real", "external"]).default("fake"),
  /** Extra environment for spawned real sidecars, KEY=VALUE, repeatable (INFERENCE_SEQUENCES=…). */
  sidecarEnv: z.array(z.string().regex(/^[A-Z_][A-Z0-9_]*=/, "expected KEY=VALUE")).default([]),
  latency: latencySpecSchema.default("lognormal:p50=2,p99=10"),
  slots: positiveInt.default(256),
  maxQueue: z.coerce.number().int().min(0).default(4096),
  /** Address the worker dials (and the fake listens on); default a Unix socket in the run folder. */
  sidecarAddress: z.string().optional(),
  sidecarStatsUrl: z.string().optional(),
  sidecarPid: positiveInt.optional(),
  /** spawn: the driver starts the workers; external: they are running, the driver only publishes and measures. */
  worker: z.enum(["spawn", "external"]).default("spawn"),
  workers: positiveInt.default(1),
  /** Kafka client library of spawned workers (their KAFKA_CLIENT; default: the worker's default). */
  kafkaClient: z.enum(["kafkajs", "platformatic"]).optional(),
  workerPid: z.array(positiveInt).default([]),
  /** dedicated: fresh topics per run (default when spawning), shared: the application's topics. */
  topics: z.enum(["dedicated", "shared"]).optional(),
  partitions: positiveInt.default(6),
  keepTopics: z.boolean().default(false),
  /** dedicated: a fresh PostgreSQL schema per run (default when spawning), shared: the worker's configured one. */
  database: z.enum(["dedicated", "shared"]).optional(),
  keepSchema: z.boolean().default(false),
  corpus: z.string().default(DEFAULT_CORPUS),
  out: z.string().optional(),
  p99Target: positive.default(100),
  drainS: positive.default(60),
  /** Hard bounds on every run, whatever the profile says: documents published, and seconds overall. */
  maxDocuments: positiveInt.default(3_000_000),
  maxSeconds: positiveInt.default(1800),
  /** Ramp: stop once this many seconds of offered load are waiting in the system. */
  saturationBacklogS: positive.default(5),
  tickMs: positiveInt.default(5),
  tenants: positiveInt.default(8),
  png: z.boolean().default(true),
  seed: z.coerce.number().int().default(7),
  confidence: z.coerce.number().min(0).max(1).optional(),
  /** Extra environment for spawned workers, KEY=VALUE, repeatable (e.g. a batch size to compare). */
  workerEnv: z.array(z.string().regex(/^[A-Z_][A-Z0-9_]*=/, "expected KEY=VALUE")).default([]),
  label: z.string().optional(),
  /** Write V8 CPU profiles of the spawned workers (and the fake sidecar) into the report folder. */
  cpuProf: z.boolean().default(false),
});

export type LoadtestArgs = z.infer<typeof argsSchema>;
export type LoadtestEnv = z.infer<typeof envSchema>;

export const USAGE = `usage: npm run loadtest -w loadtest -- --profile steady|daily|burst|ramp [options]

  --rate N              base rate, documents/s (steady level, daily average, burst baseline, ramp step)
  --duration S          run length in seconds
  --max-rate N          ramp: highest rate            --step-s S     ramp: seconds per step
  --burst-factor F      burst: multiple (10)          --burst-s S    burst: seconds (60)
  --sidecar fake|real|external   fake: start FakeInferenceSidecar (default); real: start services/inference
                        (default model), one per worker; external: a sidecar is already running
  --sidecar-env K=V     extra environment for real sidecars (repeatable), e.g. INFERENCE_SEQUENCES=4
  --latency SPEC        fake sidecar service time: none | fixed:MS | uniform:LO-HI | lognormal:p50=MS,p99=MS
  --slots N             fake sidecar concurrent requests (256)    --max-queue N (4096)
  --sidecar-address A   address the worker dials (unix:/path or host:port)
  --sidecar-stats-url U external sidecar's stats endpoint (queue depth), if any
  --sidecar-pid P       external sidecar's pid, for CPU and memory
  --worker spawn|external   spawn: start the workers (default); external: they are running
  --kafka-client kafkajs|platformatic   spawned workers' Kafka client (their KAFKA_CLIENT)
  --workers N           worker processes to spawn (1)          --worker-pid P (external, repeatable)
  --worker-env K=V      extra environment for spawned workers (repeatable)
  --topics dedicated|shared   fresh topics per run (default when spawning) or the application's
  --partitions N        partitions of dedicated topics (6)     --keep-topics
  --database dedicated|shared   fresh PostgreSQL schema per run (default when spawning) or the worker's
  --keep-schema         leave the run's schema for inspection
  --corpus FILE         labelled JSONL (default: generated corpus, else shared/spec/examples.jsonl)
  --out DIR             report folder (default .cache/loadtest/runs/<run>)
  --p99-target MS       latency target for the saturation criterion (100)
  --drain-s S           wait this long for stragglers after publishing (60)
  --max-documents N     hard bound on documents published (3000000)
  --max-seconds S       hard bound on the whole run (1800)
  --no-png              SVG only
  --label TEXT          free text recorded in the report (conditions, variant)
  --cpu-prof            V8 CPU profiles of spawned workers into <out>/prof, summarised in profile.md
`;

function camel(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

export function parseCli(argv: string[]): { args: LoadtestArgs; env: LoadtestEnv; kafka: z.infer<typeof kafkaConfigSchema> } {
  const { values } = parseArgs({
    args: argv,
    allowPositionals: false,
    options: {
      profile: { type: "string" },
      rate: { type: "string" },
      duration: { type: "string" },
      "max-rate": { type: "string" },
      "step-s": { type: "string" },
      "burst-factor": { type: "string" },
      "burst-s": { type: "string" },
      sidecar: { type: "string" },
      latency: { type: "string" },
      slots: { type: "string" },
      "max-queue": { type: "string" },
      "sidecar-address": { type: "string" },
      "sidecar-env": { type: "string", multiple: true },
      "sidecar-stats-url": { type: "string" },
      "sidecar-pid": { type: "string" },
      worker: { type: "string" },
      workers: { type: "string" },
      "kafka-client": { type: "string" },
      "worker-pid": { type: "string", multiple: true },
      "worker-env": { type: "string", multiple: true },
      topics: { type: "string" },
      partitions: { type: "string" },
      "keep-topics": { type: "boolean" },
      database: { type: "string" },
      "keep-schema": { type: "boolean" },
      corpus: { type: "string" },
      out: { type: "string" },
      "p99-target": { type: "string" },
      "drain-s": { type: "string" },
      "max-documents": { type: "string" },
      "max-seconds": { type: "string" },
      "saturation-backlog-s": { type: "string" },
      "tick-ms": { type: "string" },
      tenants: { type: "string" },
      png: { type: "boolean" },
      "no-png": { type: "boolean" },
      seed: { type: "string" },
      confidence: { type: "string" },
      label: { type: "string" },
      "cpu-prof": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const input: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(values)) {
    if (k === "no-png") input.png = !v;
    else input[camel(k)] = v;
  }
  const parsed = argsSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  --${i.path.join(".").replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}: ${i.message}`);
    throw new Error(`invalid arguments:\n${problems.join("\n")}\n\n${USAGE}`);
  }
  return { args: parsed.data, env: loadConfig(envSchema), kafka: loadConfig(kafkaConfigSchema) };
}
