import { randomBytes } from "node:crypto";
import { Kafka, logLevel } from "kafkajs";
import type { Admin, KafkaConfig } from "kafkajs";
import { harnessConfig } from "./config.ts";
import { ensureStack } from "./stack.ts";

/** Brokers of the test Kafka (KAFKA_BROKERS, default the local stack). */
export const kafkaBrokers: readonly string[] = harnessConfig().KAFKA_BROKERS;

/** A kafkajs client for the test broker; quiet unless something is wrong. */
export function testKafka(clientId = "lre-test", overrides: Partial<KafkaConfig> = {}): Kafka {
  return new Kafka({ clientId, brokers: [...kafkaBrokers], logLevel: logLevel.ERROR, ...overrides });
}

export interface TestTopics {
  topics: string[];
  /** Deletes the topics; safe to call more than once. */
  cleanup: () => Promise<void>;
}

/** A name no other test (or earlier run) uses, usable as topic, group or transactional id. */
export function uniqueName(prefix = "test"): string {
  return `${prefix}.${Date.now().toString(36)}.${randomBytes(4).toString("hex")}`;
}

/**
 * createTopics returns once the controller has leaders, but the broker's own metadata cache can
 * lag a moment behind, and a client that asks then is told the topic does not exist. Tests should
 * not have to retry for that, so the harness waits until every partition is served.
 */
async function waitUntilServed(admin: Admin, topics: string[], partitions: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const meta = await admin.fetchTopicMetadata({ topics });
      const served = meta.topics.every((t) => t.partitions.length === partitions && t.partitions.every((p) => p.leader >= 0));
      if (served && meta.topics.length === topics.length) return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
    if (Date.now() > deadline) throw new Error(`topics not served after 30 s: ${topics.join(", ")}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface TestTopicOptions {
  partitions?: number;
  prefix?: string;
  /** Another cluster than the local stack (a test's own); its replication settings come with it. */
  cluster?: { brokers: readonly string[]; replicationFactor: number; minInsyncReplicas: number };
}

/**
 * Creates `n` fresh topics for one test, each with `partitions` partitions, and waits until they
 * have leaders. The broker does not auto-create topics, so a test cannot accidentally share one.
 */
export async function createTestTopics(n: number, options: TestTopicOptions = {}): Promise<TestTopics> {
  await ensureStack();
  const base = uniqueName(options.prefix ?? "test");
  const topics = Array.from({ length: n }, (_, i) => `${base}.${i}`);
  const partitions = options.partitions ?? 3;
  const cluster = options.cluster;
  const client = () => testKafka("lre-test-admin", cluster ? { brokers: [...cluster.brokers] } : {});
  const admin = client().admin();
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: topics.map((topic) => ({
        topic,
        numPartitions: partitions,
        replicationFactor: cluster?.replicationFactor ?? 1,
        configEntries: cluster ? [{ name: "min.insync.replicas", value: String(cluster.minInsyncReplicas) }] : [],
      })),
    });
    await waitUntilServed(admin, topics, partitions);
  } finally {
    await admin.disconnect();
  }
  let cleaned = false;
  return {
    topics,
    cleanup: async () => {
      if (cleaned) return;
      cleaned = true;
      const a = client().admin();
      await a.connect();
      try {
        await a.deleteTopics({ topics, timeout: 10_000 });
      } finally {
        await a.disconnect();
      }
    },
  };
}
