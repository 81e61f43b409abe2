import assert from "node:assert/strict";
import { after, test } from "node:test";
import { ensureTopics } from "../../infra/local/topics.ts";
import { createTestTopics, kafkaBrokers, testKafka, uniqueName } from "../harness/index.ts";
import type { TestTopics } from "../harness/index.ts";

const created: TestTopics[] = [];
after(async () => {
  for (const t of created) await t.cleanup();
});

test("each call gets fresh, distinct topics with the requested partitions", async () => {
  const a = await createTestTopics(2, { partitions: 4 });
  const b = await createTestTopics(1);
  created.push(a, b);
  assert.equal(new Set([...a.topics, ...b.topics]).size, 3);
  const admin = testKafka().admin();
  await admin.connect();
  try {
    const meta = await admin.fetchTopicMetadata({ topics: a.topics });
    for (const t of meta.topics) assert.equal(t.partitions.length, 4);
  } finally {
    await admin.disconnect();
  }
});

test("produce to the real broker, consume in a group with manual commits, and resume from the commit", async () => {
  const t = await createTestTopics(1, { partitions: 3 });
  created.push(t);
  const [topic] = t.topics as [string];
  const kafka = testKafka("lre-test-roundtrip");
  const groupId = uniqueName("group");

  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const sent = Array.from({ length: 12 }, (_, i) => ({ key: `doc-${i % 4}`, value: `payload-${i}` }));
  await producer.send({ topic, acks: -1, messages: sent });

  const consumeAll = async (expected: number): Promise<string[]> => {
    const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const seen: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`consumed ${seen.length}/${expected}`)), 30_000);
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            seen.push(message.value?.toString() ?? "");
            await consumer.commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
            if (seen.length === expected) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
    await consumer.disconnect();
    return seen;
  };

  const first = await consumeAll(sent.length);
  assert.deepEqual(first.toSorted(), sent.map((m) => m.value).toSorted());

  // Committed offsets survive the group's members: a new member only gets what came after.
  await producer.send({ topic, acks: -1, messages: [{ key: "doc-late", value: "late" }] });
  const second = await consumeAll(1);
  assert.deepEqual(second, ["late"]);
  await producer.disconnect();

  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
    const total = offsets[0]?.partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
    assert.equal(total, sent.length + 1);
  } finally {
    await admin.disconnect();
  }
});

test("messages with the same key land in the same partition, in order", async () => {
  const t = await createTestTopics(1, { partitions: 3 });
  created.push(t);
  const [topic] = t.topics as [string];
  const kafka = testKafka("lre-test-ordering");
  const producer = kafka.producer();
  await producer.connect();
  const results = [];
  for (let i = 0; i < 5; i++) {
    results.push(...(await producer.send({ topic, messages: [{ key: "same-doc", value: String(i) }] })));
  }
  await producer.disconnect();
  assert.equal(new Set(results.map((r) => r.partition)).size, 1);
  const offsets = results.map((r) => Number(r.baseOffset));
  assert.deepEqual(
    offsets,
    offsets.toSorted((x, y) => x - y),
  );
});

test("transactional produce commits atomically and aborts invisibly to read_committed consumers", async () => {
  const t = await createTestTopics(1, { partitions: 1 });
  created.push(t);
  const [topic] = t.topics as [string];
  const kafka = testKafka("lre-test-tx");
  const producer = kafka.producer({ transactionalId: uniqueName("tx"), idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const aborted = await producer.transaction();
  await aborted.send({ topic, messages: [{ value: "aborted" }] });
  await aborted.abort();
  const committed = await producer.transaction();
  await committed.send({ topic, messages: [{ value: "committed-1" }, { value: "committed-2" }] });
  await committed.commit();
  await producer.disconnect();

  const consumer = kafka.consumer({ groupId: uniqueName("group"), readUncommitted: false });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const seen: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`saw ${JSON.stringify(seen)}`)), 30_000);
    consumer
      .run({
        eachMessage: async ({ message }) => {
          seen.push(message.value?.toString() ?? "");
          if (seen.length === 2) {
            clearTimeout(timer);
            resolve();
          }
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  assert.deepEqual(seen, ["committed-1", "committed-2"]);
});

test("ensureTopics creates topics, grows partitions on request, and is otherwise a no-op", async () => {
  const base = uniqueName("ensure");
  const specs = [
    { topic: `${base}.a`, numPartitions: 2 },
    { topic: `${base}.b`, numPartitions: 1 },
  ];
  created.push({
    topics: specs.map((s) => s.topic),
    cleanup: async () => {
      const admin = testKafka().admin();
      await admin.connect();
      await admin.deleteTopics({ topics: specs.map((s) => s.topic) }).finally(() => admin.disconnect());
    },
  });
  assert.equal((await ensureTopics([...kafkaBrokers], specs)).length, 2);
  assert.deepEqual(await ensureTopics([...kafkaBrokers], specs), []);
  const grown = await ensureTopics([...kafkaBrokers], [{ topic: `${base}.a`, numPartitions: 4 }]);
  assert.deepEqual(grown, [`grew ${base}.a to 4 partitions`]);
  const admin = testKafka().admin();
  await admin.connect();
  try {
    const meta = await admin.fetchTopicMetadata({ topics: [`${base}.a`] });
    assert.equal(meta.topics[0]?.partitions.length, 4);
  } finally {
    await admin.disconnect();
  }
});
