import { randomBytes } from "node:crypto";
import { Kafka, logLevel } from "kafkajs";
import type { KafkaConfig } from "kafkajs";
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
 * Creates `n` fresh topics for one test, each with `partitions` partitions, and waits until they
 * have leaders. The broker does not auto-create topics, so a test cannot accidentally share one.
 */
export async function createTestTopics(
  n: number,
  options: { partitions?: number; prefix?: string } = {},
): Promise<TestTopics> {
  await ensureStack();
  const base = uniqueName(options.prefix ?? "test");
  const topics = Array.from({ length: n }, (_, i) => `${base}.${i}`);
  const admin = testKafka("lre-test-admin").admin();
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: topics.map((topic) => ({ topic, numPartitions: options.partitions ?? 3, replicationFactor: 1 })),
    });
  } finally {
    await admin.disconnect();
  }
  let cleaned = false;
  return {
    topics,
    cleanup: async () => {
      if (cleaned) return;
      cleaned = true;
      const a = testKafka("lre-test-admin").admin();
      await a.connect();
      try {
        await a.deleteTopics({ topics, timeout: 10_000 });
      } finally {
        await a.disconnect();
      }
    },
  };
}
