// Admin helper for the local broker, run by kafka.sh:
//   topics.ts wait    – block until the broker answers metadata requests
//   topics.ts create  – create the application topics (idempotent; partitions only grow)
import { DEFAULT_TOPICS } from "@liability/contracts";
import { Kafka, logLevel } from "kafkajs";
import type { Admin } from "kafkajs";
import { z } from "zod";

const envList = z.string().transform((v) =>
  v
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean),
);
const partitions = z.coerce.number().int().min(1).max(1000);

export const topicConfigSchema = z
  .object({
    KAFKA_BROKERS: envList.default(["127.0.0.1:19092"]),
    KAFKA_TOPIC_DOCUMENTS: z.string().min(1).default(DEFAULT_TOPICS.documents),
    KAFKA_TOPIC_DOCUMENTS_PARTITIONS: partitions.default(6),
    KAFKA_TOPIC_DLQ: z.string().min(1).default(DEFAULT_TOPICS.deadLetters),
    KAFKA_TOPIC_DLQ_PARTITIONS: partitions.default(3),
    KAFKA_TOPIC_LIABILITY_RECORDED: z.string().min(1).default(DEFAULT_TOPICS.liabilityRecorded),
    KAFKA_TOPIC_LIABILITY_RECORDED_PARTITIONS: partitions.default(6),
    /** Copies of each partition: 1 on the one local broker; 3 in production. */
    KAFKA_TOPIC_REPLICATION_FACTOR: z.coerce.number().int().min(1).max(7).default(1),
    /** Copies that must have a write before it is acknowledged (acks=all): 2 in production. */
    KAFKA_TOPIC_MIN_INSYNC_REPLICAS: z.coerce.number().int().min(1).max(7).default(1),
  })
  .superRefine((c, ctx) => {
    if (c.KAFKA_TOPIC_MIN_INSYNC_REPLICAS > c.KAFKA_TOPIC_REPLICATION_FACTOR) {
      ctx.addIssue({
        code: "custom",
        path: ["KAFKA_TOPIC_MIN_INSYNC_REPLICAS"],
        message: "cannot exceed KAFKA_TOPIC_REPLICATION_FACTOR: no write could ever be acknowledged",
      });
    }
  });
export type TopicConfig = z.infer<typeof topicConfigSchema>;

export interface TopicSpec {
  topic: string;
  numPartitions: number;
  /** Default 1 (the local broker). */
  replicationFactor?: number;
  configEntries?: { name: string; value: string }[];
}

export function applicationTopics(c: TopicConfig): TopicSpec[] {
  const durability = { name: "min.insync.replicas", value: String(c.KAFKA_TOPIC_MIN_INSYNC_REPLICAS) };
  const replicationFactor = c.KAFKA_TOPIC_REPLICATION_FACTOR;
  return [
    { topic: c.KAFKA_TOPIC_DOCUMENTS, numPartitions: c.KAFKA_TOPIC_DOCUMENTS_PARTITIONS, replicationFactor, configEntries: [durability] },
    // Dead letters are evidence for an investigation; keep them four weeks rather than the broker default.
    {
      topic: c.KAFKA_TOPIC_DLQ,
      numPartitions: c.KAFKA_TOPIC_DLQ_PARTITIONS,
      replicationFactor,
      configEntries: [durability, { name: "retention.ms", value: String(28 * 24 * 3600 * 1000) }],
    },
    { topic: c.KAFKA_TOPIC_LIABILITY_RECORDED, numPartitions: c.KAFKA_TOPIC_LIABILITY_RECORDED_PARTITIONS, replicationFactor, configEntries: [durability] },
  ];
}

function parseEnv(): TopicConfig {
  const input = Object.fromEntries(Object.keys(topicConfigSchema.shape).map((k) => [k, process.env[k] === "" ? undefined : process.env[k]]));
  const result = topicConfigSchema.safeParse(input);
  if (!result.success) {
    for (const issue of result.error.issues) console.error(`${issue.path.join(".")}: ${issue.message}`);
    process.exit(2);
  }
  return result.data;
}

/**
 * Waits until the broker's metadata shows every topic of `specs` with at least its number of
 * partitions, each with a leader. createTopics/createPartitions return once the controller has
 * accepted the change, but the broker's metadata cache catches up a moment later (longer on a
 * loaded machine), and a client that asks in between still sees the old partition count or no
 * topic at all. Polls every 100 ms; throws after `timeoutMs` with what the broker last showed.
 */
export async function waitForTopicMetadata(admin: Admin, specs: TopicSpec[], timeoutMs = 15_000): Promise<void> {
  if (specs.length === 0) return;
  const deadline = Date.now() + timeoutMs;
  let last = "no answer";
  for (;;) {
    try {
      const meta = await admin.fetchTopicMetadata({ topics: specs.map((s) => s.topic) });
      const lagging = specs.filter((s) => {
        const parts = meta.topics.find((t) => t.name === s.topic)?.partitions ?? [];
        return parts.length < s.numPartitions || parts.some((p) => p.leader < 0);
      });
      if (lagging.length === 0) return;
      last = lagging.map((s) => `${s.topic}: ${meta.topics.find((t) => t.name === s.topic)?.partitions.length ?? 0}/${s.numPartitions} partitions`).join(", ");
    } catch (err) {
      last = err instanceof Error ? err.message : String(err); // e.g. the topic is not known yet
    }
    if (Date.now() >= deadline) {
      throw new Error(`topic metadata did not converge within ${timeoutMs} ms (${last})`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Creates missing topics and grows partition counts that are below the configured number, then
 * waits (bounded, waitForTopicMetadata) until the broker's metadata shows the result, so that a
 * caller that asks right after sees the topics and partitions it asked for.
 */
export async function ensureTopics(brokers: string[], specs: TopicSpec[], timeoutMs = 15_000): Promise<string[]> {
  const admin = new Kafka({ clientId: "lre-infra", brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  const changes: string[] = [];
  try {
    const existing = new Set(await admin.listTopics());
    const missing = specs.filter((s) => !existing.has(s.topic));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((s) => ({ ...s, replicationFactor: s.replicationFactor ?? 1 })),
      });
      for (const s of missing) changes.push(`created ${s.topic} (${s.numPartitions} partitions)`);
    }
    const present = specs.filter((s) => existing.has(s.topic));
    if (present.length > 0) {
      const meta = await admin.fetchTopicMetadata({ topics: present.map((s) => s.topic) });
      const grow = present.filter((s) => {
        const have = meta.topics.find((t) => t.name === s.topic)?.partitions.length ?? 0;
        return have < s.numPartitions;
      });
      if (grow.length > 0) {
        await admin.createPartitions({ topicPartitions: grow.map((s) => ({ topic: s.topic, count: s.numPartitions })) });
        for (const s of grow) changes.push(`grew ${s.topic} to ${s.numPartitions} partitions`);
      }
    }
    await waitForTopicMetadata(admin, specs, timeoutMs);
  } finally {
    await admin.disconnect();
  }
  return changes;
}

async function waitForBroker(brokers: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const kafka = new Kafka({
      clientId: "lre-infra",
      brokers,
      logLevel: logLevel.NOTHING,
      retry: { retries: 5, initialRetryTime: 200 },
      connectionTimeout: 2000,
    });
    const admin = kafka.admin();
    try {
      await admin.connect();
      await admin.describeCluster();
      await admin.listTopics();
      // Asking for a group's offsets makes a fresh broker create __consumer_offsets and load its
      // coordinator now, rather than during the first consumer's join (which then logs errors
      // and retries).
      await admin.fetchOffsets({ groupId: "lre-infra-warmup", topics: [] });
      // Likewise __transaction_state, through a transactional producer's initialisation.
      const producer = kafka.producer({ transactionalId: "lre-infra-warmup", idempotent: true, maxInFlightRequests: 1 });
      await producer.connect();
      await producer.disconnect();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 500));
    } finally {
      await admin.disconnect().catch(() => {});
    }
  }
}

if (import.meta.main) {
  const config = parseEnv();
  const command = process.argv[2];
  if (command === "wait") {
    await waitForBroker(config.KAFKA_BROKERS, Number(process.env.KAFKA_START_TIMEOUT ?? 120) * 1000);
  } else if (command === "create") {
    const changes = await ensureTopics(config.KAFKA_BROKERS, applicationTopics(config));
    for (const line of changes) console.log(`[infra] ${line}`);
    if (changes.length === 0) console.log("[infra] topics up to date");
  } else {
    console.error("usage: topics.ts wait|create");
    process.exit(2);
  }
}
