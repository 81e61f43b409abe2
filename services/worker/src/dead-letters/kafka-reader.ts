import { Consumer, type ClusterTopicMetadata } from "@platformatic/kafka";
import type { KafkaConnectionOptions } from "@liability/platform";
import type { RawHeader } from "../core/messaging.ts";
import { bootstrapOptions } from "../platformatic-adapter.ts";
import { DeadLetterCliError } from "./errors.ts";

/**
 * Reads a topic's partitions directly (Fetch and ListOffsets requests to the leaders), in the
 * adapter layer like platformatic-adapter.ts. No consumer group is joined and no offset is ever
 * committed, so reading the dead-letter topic cannot move anything the worker (or any other
 * group) has committed, and a read ends at the high watermark it saw when it began.
 */

/** One stored message, as the broker holds it. */
export interface StoredMessage {
  readonly partition: number;
  /** Offsets are decimal strings: they can exceed 2^53. */
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  /** In order, repeated names kept. */
  readonly headers: readonly RawHeader[];
  /** Broker or producer timestamp, ms since the epoch. */
  readonly timestamp: number;
}

export interface PartitionRange {
  readonly partition: number;
  /** First offset still stored (retention may have removed older ones). */
  readonly start: bigint;
  /** The high watermark: one past the last offset. */
  readonly end: bigint;
}

export interface TopicReader {
  /** Every partition's stored range; throws topic_missing when the topic does not exist. */
  ranges(topic: string): Promise<PartitionRange[]>;
  /** Per partition, the first offset whose timestamp is at or after `ms` (the end when none is). */
  offsetsAt(topic: string, ms: number): Promise<Map<number, bigint>>;
  /** The messages of one partition in [from, to), in offset order. */
  read(topic: string, partition: number, from: bigint, to: bigint): AsyncIterable<StoredMessage>;
  /** The one message at an offset; throws not_found when there is none. */
  readOne(topic: string, partition: number, offset: bigint): Promise<StoredMessage>;
  close(): Promise<void>;
}

/** Control batches carry transaction markers, not messages (attribute bit 5). */
const CONTROL_BATCH = 0b10_0000;
const EARLIEST = -2n;
const PARTITION_MAX_BYTES = 4 * 1_048_576;

/** The broker's "unknown topic" answers, as the client reports them. */
function isUnknownTopic(error: unknown): boolean {
  const text = `${String(error)} ${JSON.stringify((error as { errors?: unknown }).errors ?? [], (_k, v) => (typeof v === "bigint" ? String(v) : v))}`;
  return /UNKNOWN_TOPIC_OR_PARTITION|UNKNOWN_TOPIC_ID|unknown topic|does not exist/i.test(text);
}

export class PlatformaticTopicReader implements TopicReader {
  readonly #consumer: Consumer;
  /** Topic metadata of this run: a partition's leader is looked up once, not on every fetch. */
  readonly #topics = new Map<string, ClusterTopicMetadata>();

  readonly #brokers: string;

  constructor(connection: KafkaConnectionOptions) {
    this.#brokers = connection.brokers.join(",");
    // A Consumer is the client that may send Fetch; its group id is required by the constructor
    // but never used, because nothing here joins a group or commits.
    this.#consumer = new Consumer({
      ...bootstrapOptions(connection),
      groupId: `lre-dead-letters-never-joined-${process.pid}`,
      autocommit: false,
      retries: 3,
      retryDelay: 300,
      timeout: 10_000,
    });
  }

  async #topic(topic: string): Promise<ClusterTopicMetadata> {
    const known = this.#topics.get(topic);
    if (known) return known;
    let metadata: Awaited<ReturnType<Consumer["metadata"]>>;
    try {
      metadata = await this.#consumer.metadata({ topics: [topic], autocreateTopics: false, forceUpdate: true });
    } catch (error) {
      if (isUnknownTopic(error)) throw new DeadLetterCliError("topic_missing", `topic ${topic} does not exist`, { cause: error });
      throw new DeadLetterCliError("kafka_unavailable", `Kafka (${this.#brokers}) did not answer: ${errorText(error)}`, { cause: error });
    }
    const found = metadata.topics.get(topic);
    if (!found) throw new DeadLetterCliError("topic_missing", `topic ${topic} does not exist`);
    this.#topics.set(topic, found);
    return found;
  }

  async ranges(topic: string): Promise<PartitionRange[]> {
    const found = await this.#topic(topic);
    const [ends, starts] = await Promise.all([this.#listOffsets(topic), this.#listOffsets(topic, EARLIEST)]);
    return Array.from({ length: found.partitionsCount }, (_, partition) => ({
      partition,
      start: starts[partition] ?? 0n,
      end: ends[partition] ?? 0n,
    }));
  }

  async offsetsAt(topic: string, ms: number): Promise<Map<number, bigint>> {
    const ranges = await this.ranges(topic);
    const at = await this.#listOffsets(topic, BigInt(ms));
    // -1 means no message at or after the time: start at the end, read nothing.
    return new Map(ranges.map((r) => [r.partition, at[r.partition] === undefined || at[r.partition]! < 0n ? r.end : at[r.partition]!]));
  }

  async #listOffsets(topic: string, timestamp?: bigint): Promise<bigint[]> {
    try {
      const offsets = await this.#consumer.listOffsets({ topics: [topic], ...(timestamp === undefined ? {} : { timestamp }) });
      return offsets.get(topic) ?? [];
    } catch (error) {
      if (isUnknownTopic(error)) throw new DeadLetterCliError("topic_missing", `topic ${topic} does not exist`, { cause: error });
      throw new DeadLetterCliError("kafka_unavailable", `Kafka (${this.#brokers}) did not answer: ${errorText(error)}`, { cause: error });
    }
  }

  async *read(topic: string, partition: number, from: bigint, to: bigint): AsyncIterable<StoredMessage> {
    let next = from;
    while (next < to) {
      const batch = await this.#fetch(topic, partition, next);
      if (batch.length === 0) return;
      for (const message of batch) {
        if (BigInt(message.offset) >= to) return;
        yield message;
      }
      next = BigInt(batch[batch.length - 1]!.offset) + 1n;
    }
  }

  async readOne(topic: string, partition: number, offset: bigint): Promise<StoredMessage> {
    const range = (await this.ranges(topic)).find((r) => r.partition === partition);
    if (!range) throw new DeadLetterCliError("not_found", `topic ${topic} has no partition ${partition}`);
    if (offset < range.start || offset >= range.end) {
      const holds = range.start === range.end ? "is empty" : `holds offsets ${range.start} to ${range.end - 1n}`;
      throw new DeadLetterCliError("not_found", `no message at ${partition}:${offset} of ${topic}; partition ${partition} ${holds}`);
    }
    const [message] = await this.#fetch(topic, partition, offset);
    // An offset inside the range can still be missing: a compacted topic or a transaction marker.
    if (!message || message.offset !== offset.toString()) throw new DeadLetterCliError("not_found", `no message at ${partition}:${offset}`);
    return message;
  }

  /** The messages of one Fetch from `offset` on (a record batch may begin before it). */
  async #fetch(topic: string, partition: number, offset: bigint): Promise<StoredMessage[]> {
    const found = await this.#topic(topic);
    const leader = found.partitions[partition]?.leader;
    if (leader === undefined || leader < 0) throw new DeadLetterCliError("kafka_unavailable", `partition ${partition} of ${topic} has no leader`);
    let response: Awaited<ReturnType<Consumer["fetch"]>>;
    try {
      response = await this.#consumer.fetch({
        node: leader,
        maxWaitTime: 100,
        minBytes: 1,
        maxBytes: PARTITION_MAX_BYTES,
        topics: [
          {
            topicId: found.id,
            partitions: [{ partition, fetchOffset: offset, partitionMaxBytes: PARTITION_MAX_BYTES, currentLeaderEpoch: -1, lastFetchedEpoch: -1 }],
          },
        ],
      });
    } catch (error) {
      throw new DeadLetterCliError("kafka_unavailable", `fetching ${topic} ${partition}:${offset} failed: ${errorText(error)}`, { cause: error });
    }
    const out: StoredMessage[] = [];
    for (const answer of response.responses.flatMap((r) => r.partitions)) {
      if (answer.errorCode !== 0)
        throw new DeadLetterCliError("kafka_unavailable", `fetching ${topic} ${partition}:${offset}: broker error ${answer.errorCode}`);
      for (const batch of answer.records ?? []) {
        if ((batch.attributes & CONTROL_BATCH) !== 0) continue;
        for (const record of batch.records) {
          const at = batch.firstOffset + BigInt(record.offsetDelta);
          if (at < offset) continue;
          out.push({
            partition,
            offset: at.toString(),
            key: record.key,
            value: record.value,
            headers: record.headers.flatMap(([k, v]) => (k === null ? [] : [{ key: k.toString("utf8"), value: v ?? Buffer.alloc(0) }])),
            timestamp: Number(batch.firstTimestamp + record.timestampDelta),
          });
        }
      }
    }
    return out;
  }

  async close(): Promise<void> {
    await this.#consumer.close().catch(() => {});
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
