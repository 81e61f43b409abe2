// The outbox relay over an in-memory outbox: one row that Kafka refuses is parked after its
// attempts while every other row goes out; an outage counts against no row.
import assert from "node:assert/strict";
import { test } from "node:test";
import { createLogger } from "@liability/platform";
import { PartialSendError } from "../src/core/messaging.ts";
import type { MessageProducer, OutboundMessage } from "../src/core/messaging.ts";
import { WorkerMetrics } from "../src/metrics.ts";
import { OutboxRelay } from "../src/outbox-relay.ts";
import type { OutboxSource } from "../src/outbox-relay.ts";
import type { OutboxBacklog, OutboxRow } from "../src/store.ts";

interface Row extends OutboxRow {
  attempts: number;
  leased: boolean;
  published: boolean;
  parked: string | null;
}

class MemoryOutbox implements OutboxSource {
  readonly rows: Row[];
  pruned = 0;

  constructor(keys: readonly string[]) {
    this.rows = keys.map((key, i) => ({
      id: String(i + 1),
      key,
      topic: "recorded",
      payload: Buffer.from(key),
      headers: {},
      attempts: 0,
      leased: false,
      published: false,
      parked: null,
    }));
  }

  async claimOutbox(limit: number): Promise<OutboxRow[]> {
    const free = this.rows.filter((r) => !r.published && r.parked === null && !r.leased).slice(0, limit);
    for (const r of free) r.leased = true;
    return free.map(({ id, key, topic, payload, headers }) => ({ id, key, topic, payload, headers }));
  }

  async markPublished(ids: readonly string[]): Promise<void> {
    for (const r of this.#byIds(ids)) Object.assign(r, { published: true, leased: false });
  }

  async releaseOutbox(ids: readonly string[], failure?: { error: string; maxAttempts: number }): Promise<string[]> {
    const parked: string[] = [];
    for (const r of this.#byIds(ids)) {
      r.leased = false;
      if (!failure) continue;
      r.attempts += 1;
      if (r.attempts >= failure.maxAttempts) {
        r.parked = failure.error;
        parked.push(r.id);
      }
    }
    return parked;
  }

  async outboxBacklog(): Promise<OutboxBacklog> {
    const waiting = this.rows.filter((r) => !r.published && r.parked === null).length;
    return { waiting, parked: this.rows.filter((r) => r.parked !== null).length, oldestAgeSeconds: 0 };
  }

  async pruneOutbox(): Promise<number> {
    this.pruned += 1;
    return 0;
  }

  #byIds(ids: readonly string[]): Row[] {
    return this.rows.filter((r) => ids.includes(r.id));
  }
}

/** Kafka as a producer port: refuses messages whose key `refuses` names, and everything while `down`. */
class ScriptedKafka implements MessageProducer {
  readonly delivered: string[] = [];
  down = false;
  readonly refuses: (key: string) => boolean;
  constructor(refuses: (key: string) => boolean = () => false) {
    this.refuses = refuses;
  }
  async connect(): Promise<void> {}
  async disconnect(): Promise<void> {}
  async send(_topic: string, messages: readonly OutboundMessage[]): Promise<void> {
    if (this.down) throw new Error("broker unavailable");
    if (messages.some((m) => this.refuses(String(m.key)))) throw new Error("MESSAGE_TOO_LARGE");
    this.delivered.push(...messages.map((m) => String(m.key)));
  }
}

function relayOver(source: OutboxSource, producer: MessageProducer, metrics = new WorkerMetrics()) {
  return new OutboxRelay({
    source,
    producer,
    batchSize: 50,
    pollIntervalMs: 5,
    leaseMs: 1_000,
    maxAttempts: 3,
    retentionMs: 3_600_000,
    pruneIntervalMs: 60_000,
    logger: createLogger({ service: "relay-test", level: "silent" }),
    metrics,
  });
}

async function until(what: string, done: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

test("a row Kafka refuses is parked after its attempts, with the error; every row behind it goes out", async () => {
  const outbox = new MemoryOutbox(["a", "poison", "b", "c", "d"]);
  const kafka = new ScriptedKafka((key) => key === "poison");
  const relay = relayOver(outbox, kafka);
  relay.start();
  await until("the other rows published", () => outbox.rows.filter((r) => r.published).length === 4);
  await until("the poison row parked", () => outbox.rows[1]!.parked !== null);
  await relay.stop();

  assert.deepEqual(kafka.delivered.sort(), ["a", "b", "c", "d"]);
  const poison = outbox.rows[1]!;
  assert.equal(poison.published, false);
  assert.equal(poison.attempts, 3);
  assert.equal(poison.parked, "MESSAGE_TOO_LARGE");
  assert.deepEqual(await outbox.outboxBacklog(), { waiting: 0, parked: 1, oldestAgeSeconds: 0 });
});

test("while Kafka is away no row is counted or parked, and all go out once it is back", async () => {
  const outbox = new MemoryOutbox(["a", "b", "c"]);
  const kafka = new ScriptedKafka();
  kafka.down = true;
  const relay = relayOver(outbox, kafka);
  relay.start();
  await new Promise((r) => setTimeout(r, 150));
  assert.ok(outbox.rows.every((r) => r.attempts === 0 && r.parked === null && !r.published));
  kafka.down = false;
  relay.wake();
  await until("all published", () => outbox.rows.every((r) => r.published), 15_000);
  await relay.stop();
  assert.deepEqual(kafka.delivered.sort(), ["a", "b", "c"]);
});

/** Kafka with one broker gone: messages whose key `onDeadBroker` names fail, the others are written, as one send. */
class KafkaLosingABroker implements MessageProducer {
  readonly delivered: string[] = [];
  brokerBack = false;
  readonly onDeadBroker: (key: string) => boolean;
  constructor(onDeadBroker: (key: string) => boolean) {
    this.onDeadBroker = onDeadBroker;
  }
  async connect(): Promise<void> {}
  async disconnect(): Promise<void> {}
  async send(_topic: string, messages: readonly OutboundMessage[]): Promise<void> {
    const written = new Set<number>();
    messages.forEach((m, i) => {
      if (this.brokerBack || !this.onDeadBroker(String(m.key))) {
        this.delivered.push(String(m.key));
        written.add(i);
      }
    });
    if (written.size < messages.length) throw new PartialSendError(new Error("NOT_LEADER_OR_FOLLOWER"), written);
  }
}

test("rows a failed send did write are marked published, so the retry publishes only the rest: nothing twice", async () => {
  const outbox = new MemoryOutbox(["a", "b", "c", "d", "e", "f"]);
  const kafka = new KafkaLosingABroker((key) => key === "b" || key === "e");
  const relay = relayOver(outbox, kafka);
  relay.start();
  await until("the rows on live partitions published", () => outbox.rows.filter((r) => r.published).length === 4);
  kafka.brokerBack = true;
  relay.wake();
  await until("all published", () => outbox.rows.every((r) => r.published), 15_000);
  await relay.stop();
  assert.deepEqual([...kafka.delivered].sort(), ["a", "b", "c", "d", "e", "f"], "each row exactly once");
  assert.ok(
    outbox.rows.every((r) => r.attempts === 0 && r.parked === null),
    "a lost broker counts against no row",
  );
});
