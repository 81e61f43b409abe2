import { DEFAULT_TOPICS } from "@liability/contracts";
import { z } from "zod";
import { envBoolean, envPositiveInt, kafkaConfigSchema, loadConfig, postgresConfigSchema, telemetryConfigSchema } from "@liability/platform";
import { DEFAULT_VALIDATION_POLICY, parseCorroboratedFields, READER_FIELDS } from "@liability/domain";
import type { ValidationPolicy } from "@liability/domain";

const nonNegativeInt = z.coerce.number().int().min(0);
const fraction = z.coerce.number().min(0).max(1);
const positiveNumber = z.coerce.number().positive();

const tenantAllowlistSchema = z
  .record(z.string().min(1), z.union([z.literal("*"), z.array(z.string().min(1)).min(1)]))
  .refine((m) => Object.keys(m).length > 0);

/** Settings of the worker itself; Kafka, PostgreSQL and telemetry variables come from the platform schemas. */
export const workerSettingsSchema = z.object({
  KAFKA_TOPIC_DOCUMENTS: z.string().min(1).default(DEFAULT_TOPICS.documents),
  KAFKA_TOPIC_DLQ: z.string().min(1).default(DEFAULT_TOPICS.deadLetters),
  KAFKA_TOPIC_LIABILITY_RECORDED: z.string().min(1).default(DEFAULT_TOPICS.liabilityRecorded),
  KAFKA_CONSUMER_GROUP: z.string().min(1).default("liability-extraction-worker"),
  /**
   * The Kafka client library behind the consumer and producer ports: @platformatic/kafka
   * (maintained; idempotent producer, acks=all) or kafkajs (no release since 2023; its consumer
   * honours KAFKA_MAX_WAIT_MS, which platformatic's ignores).
   */
  KAFKA_CLIENT: z.enum(["platformatic", "kafkajs"]).default("platformatic"),
  /** Largest fetch per partition, which bounds a batch (and so one database transaction). */
  KAFKA_MAX_BYTES_PER_PARTITION: envPositiveInt.default(1_048_576),
  KAFKA_SESSION_TIMEOUT_MS: envPositiveInt.default(30_000),
  /** How long a fetch waits for new messages; also bounds how fast a stop is noticed. */
  KAFKA_MAX_WAIT_MS: envPositiveInt.default(1_000),
  KAFKA_HEARTBEAT_INTERVAL_MS: envPositiveInt.default(3_000),
  /** Partitions worked on at once; the sidecar concurrency limit applies across all of them. */
  KAFKA_PARTITIONS_CONSUMED_CONCURRENTLY: envPositiveInt.default(2),
  KAFKA_FROM_BEGINNING: envBoolean.default(true),

  /** PostgreSQL schema holding the tables; tests give each test its own. */
  DATABASE_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, "expected a lower-case SQL identifier")
    .default("public"),

  /** gRPC address of the sidecar: unix:/path/to.sock or host:port. */
  INFERENCE_ADDRESS: z.string().min(1).default("unix:/tmp/lre-inference/inference.sock"),
  /**
   * TLS to the sidecar: the CA (PEM) its certificate must chain to. Without it the channel is
   * plain, which is right only for the pod-local Unix socket.
   */
  INFERENCE_TLS_CA_FILE: z.string().min(1).optional(),
  /** The worker's own certificate and key (PEM), for a sidecar that asks for them (mTLS); both or neither. */
  INFERENCE_TLS_CERT_FILE: z.string().min(1).optional(),
  INFERENCE_TLS_KEY_FILE: z.string().min(1).optional(),
  /** The name the sidecar's certificate carries, when it is not the address's host. */
  INFERENCE_TLS_SERVER_NAME: z.string().min(1).optional(),
  /** Deadline of one Extract call. */
  INFERENCE_DEADLINE_MS: envPositiveInt.default(30_000),
  /** Documents in flight to the sidecar at once from this worker. */
  INFERENCE_CONCURRENCY: envPositiveInt.default(4),
  /**
   * Documents per ExtractBatch round trip (documents started together are coalesced, each still
   * retried on its own); 1 sends one Extract call per document.
   */
  INFERENCE_BATCH_DOCUMENTS: envPositiveInt.max(256).default(1),
  /** Attempts per document for transient failures (UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED). */
  INFERENCE_MAX_ATTEMPTS: envPositiveInt.default(4),
  /**
   * Timed-out calls for one document, over all its deliveries, after which it is dead-lettered
   * (INFERENCE_TIMED_OUT) rather than retried: only while the sidecar answers other documents,
   * so that a slow or overloaded sidecar dead-letters nothing. Default: two deliveries' worth.
   */
  INFERENCE_MAX_DOCUMENT_TIMEOUTS: envPositiveInt.default(8),
  INFERENCE_RETRY_INITIAL_MS: envPositiveInt.default(200),
  INFERENCE_RETRY_MAX_MS: envPositiveInt.default(5_000),
  /** Consecutive transient failures that open the circuit. */
  INFERENCE_BREAKER_THRESHOLD: envPositiveInt.default(5),
  /** How long an open circuit waits before a probe may close it. */
  INFERENCE_BREAKER_HALF_OPEN_MS: envPositiveInt.default(2_000),

  /** Documents larger than this (UTF-8 bytes) go to the dead-letter topic. */
  MAX_DOCUMENT_BYTES: envPositiveInt.default(65_536),
  /** While a dependency is down, how often it is probed before consumption resumes. */
  DEPENDENCY_PROBE_INTERVAL_MS: envPositiveInt.default(1_000),
  OUTBOX_POLL_INTERVAL_MS: envPositiveInt.default(500),
  OUTBOX_BATCH_SIZE: envPositiveInt.default(200),
  /** How long a claimed outbox row is this relay's; longer than a Kafka send can take. */
  OUTBOX_LEASE_MS: envPositiveInt.default(30_000),
  /** Failures of one row on its own (while the next row went out) before it is parked for a person. */
  OUTBOX_MAX_ATTEMPTS: envPositiveInt.default(5),
  /** Published outbox rows are deleted after this long. */
  OUTBOX_RETENTION_HOURS: envPositiveInt.default(72),
  OUTBOX_PRUNE_INTERVAL_MS: envPositiveInt.default(600_000),
  /** How long SIGTERM waits for in-flight work before abandoning it (uncommitted, so redelivered). */
  SHUTDOWN_GRACE_MS: nonNegativeInt.default(20_000),

  VALIDATION_CONFIDENCE_THRESHOLD: fraction.default(DEFAULT_VALIDATION_POLICY.confidenceThreshold),
  VALIDATION_REQUIRE_CONFIDENCE: envBoolean.default(DEFAULT_VALIDATION_POLICY.requireConfidence),
  VALIDATION_PAYOFF_TOLERANCE_RELATIVE: fraction.default(DEFAULT_VALIDATION_POLICY.payoffTolerance.relative),
  VALIDATION_PAYOFF_TOLERANCE_ABSOLUTE: positiveNumber.default(DEFAULT_VALIDATION_POLICY.payoffTolerance.absolute),
  /**
   * Fields whose value is accepted only where the document's own labels confirm it (comma-separated,
   * or "none"); default: every field the labelled-field reader knows. Fewer fields, fewer reviews,
   * more wrong records accepted (docs/model-card.md, "Routing").
   */
  VALIDATION_CORROBORATED_FIELDS: z
    .string()
    .default(DEFAULT_VALIDATION_POLICY.corroboratedFields.join(","))
    .transform((v, ctx) => {
      const { fields, unknown } = parseCorroboratedFields(v);
      if (unknown.length > 0)
        ctx.addIssue({ code: "custom", message: `unknown field(s) ${unknown.join(", ")}; expected "none" or some of ${READER_FIELDS.join(", ")}` });
      return fields;
    }),

  /**
   * Which tenants each source system may write for, as JSON: {"lender-portal": ["tenant-a",
   * "tenant-b"], "batch-import": "*"}. An event from a source system not listed, or for a tenant
   * its list does not name, is dead-lettered (TENANT_NOT_ALLOWED). Unset: any (the local profile only).
   */
  TENANT_ALLOWLIST: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === "") return undefined;
      let parsed: unknown;
      try {
        parsed = JSON.parse(v);
      } catch {
        ctx.addIssue({ code: "custom", message: 'not JSON; expected {"source-system": ["tenant-id", …] or "*"}' });
        return z.NEVER;
      }
      const result = tenantAllowlistSchema.safeParse(parsed);
      if (!result.success) {
        ctx.addIssue({ code: "custom", message: 'expected {"source-system": ["tenant-id", …] or "*"}, with at least one source system' });
        return z.NEVER;
      }
      return new Map(Object.entries(result.data).map(([source, tenants]) => [source, tenants === "*" ? ("any" as const) : new Set(tenants)]));
    }),

  /**
   * Share of accepted records (0 to 1, e.g. 0.01) also sent to review as shadow items, so that the
   * review console measures the error rate of what is accepted. Chosen by the document's key, so a
   * redelivery makes the same choice. 0: none.
   */
  REVIEW_SHADOW_SHARE: fraction.default(0),

  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

export const workerConfigSchema = z
  .object({
    ...kafkaConfigSchema.shape,
    ...postgresConfigSchema.shape,
    ...telemetryConfigSchema.shape,
    ...workerSettingsSchema.shape,
  })
  .superRefine((c, ctx) => {
    if (c.DEPLOYMENT_PROFILE !== "local" && c.TENANT_ALLOWLIST === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["TENANT_ALLOWLIST"],
        message: "required outside DEPLOYMENT_PROFILE=local: which tenants each source system may write for",
      });
    }
    if ((c.INFERENCE_TLS_CERT_FILE === undefined) !== (c.INFERENCE_TLS_KEY_FILE === undefined)) {
      ctx.addIssue({ code: "custom", path: ["INFERENCE_TLS_CERT_FILE"], message: "INFERENCE_TLS_CERT_FILE and INFERENCE_TLS_KEY_FILE must be set together" });
    }
    if (c.INFERENCE_TLS_CERT_FILE !== undefined && c.INFERENCE_TLS_CA_FILE === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["INFERENCE_TLS_CA_FILE"],
        message: "a client certificate (mTLS) needs INFERENCE_TLS_CA_FILE to verify the sidecar",
      });
    }
  });

export type WorkerConfig = z.infer<typeof workerConfigSchema>;

/** Reads and validates the environment once; everything else receives the result. */
export function loadWorkerConfig(env: Readonly<Record<string, string | undefined>> = process.env): WorkerConfig {
  // The platform's schemas carry cross-field rules; check them on their own first.
  loadConfig(kafkaConfigSchema, env);
  loadConfig(postgresConfigSchema, env);
  return loadConfig(workerConfigSchema, env);
}

export function validationPolicyFrom(config: WorkerConfig): ValidationPolicy {
  return {
    ...DEFAULT_VALIDATION_POLICY,
    confidenceThreshold: config.VALIDATION_CONFIDENCE_THRESHOLD,
    requireConfidence: config.VALIDATION_REQUIRE_CONFIDENCE,
    payoffTolerance: {
      relative: config.VALIDATION_PAYOFF_TOLERANCE_RELATIVE,
      absolute: config.VALIDATION_PAYOFF_TOLERANCE_ABSOLUTE,
    },
    corroboratedFields: config.VALIDATION_CORROBORATED_FIELDS,
  };
}
