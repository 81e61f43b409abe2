import assert from "node:assert/strict";
import { test } from "node:test";
import { loadDbAdminConfig } from "@liability/db";
import { scramSha256Verifier } from "../../infra/db/src/scram.ts";
import { topicConfigSchema, applicationTopics } from "../../infra/local/topics.ts";

test("db admin config has local defaults", () => {
  const c = loadDbAdminConfig({});
  assert.equal(c.DATABASE_SCHEMA, "public");
  assert.match(c.DATABASE_ADMIN_URL, /:15432\/liability$/);
});

test("db admin config names the bad variable and never echoes a secret", () => {
  assert.throws(
    () => loadDbAdminConfig({ DATABASE_ADMIN_URL: "mysql://x", LRE_PG_WORKER_PASSWORD: "short" }),
    (err: Error) => /DATABASE_ADMIN_URL/.test(err.message) && /LRE_PG_WORKER_PASSWORD/.test(err.message) && !err.message.includes("short"),
  );
  assert.throws(() => loadDbAdminConfig({ LRE_PG_READER_ROLE: "lre_reader_x" }), /LRE_PG_READER_ROLE/);
  assert.throws(() => loadDbAdminConfig({ DATABASE_SCHEMA: "Robert'); DROP" }), /DATABASE_SCHEMA/);
});

test("topic partition counts come from the environment", () => {
  const c = topicConfigSchema.parse({ KAFKA_TOPIC_DOCUMENTS_PARTITIONS: "12" });
  const docs = applicationTopics(c).find((t) => t.topic === "documents.received.v1");
  assert.equal(docs?.numPartitions, 12);
  assert.throws(() => topicConfigSchema.parse({ KAFKA_TOPIC_DLQ_PARTITIONS: "0" }));
});

test("SCRAM verifiers have PostgreSQL's format, are salted, and refuse non-ASCII", () => {
  const a = scramSha256Verifier("correct horse");
  const b = scramSha256Verifier("correct horse");
  assert.match(a, /^SCRAM-SHA-256\$4096:[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}:[A-Za-z0-9+/=]{44}$/);
  assert.notEqual(a, b);
  assert.ok(!a.includes("correct horse"));
  assert.throws(() => scramSha256Verifier("pässword"));
});

test("replication factor and min.insync.replicas of the topics come from configuration", () => {
  const production = applicationTopics(topicConfigSchema.parse({ KAFKA_TOPIC_REPLICATION_FACTOR: "3", KAFKA_TOPIC_MIN_INSYNC_REPLICAS: "2" }));
  for (const topic of production) {
    assert.equal(topic.replicationFactor, 3, topic.topic);
    assert.ok(
      topic.configEntries?.some((e) => e.name === "min.insync.replicas" && e.value === "2"),
      topic.topic,
    );
  }
  assert.equal(applicationTopics(topicConfigSchema.parse({}))[0]!.replicationFactor, 1, "one local broker");
  assert.throws(() => topicConfigSchema.parse({ KAFKA_TOPIC_REPLICATION_FACTOR: "1", KAFKA_TOPIC_MIN_INSYNC_REPLICAS: "2" }), /KAFKA_TOPIC_REPLICATION_FACTOR/);
});
