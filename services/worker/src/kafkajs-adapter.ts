import { Kafka, logLevel, Partitioners } from "kafkajs";
import type { Consumer, EachBatchPayload, IHeaders, KafkaConfig, LogEntry, Producer } from "kafkajs";
import type { KafkaConnectionOptions, Logger } from "@liability/platform";
import type { BatchHandler, Headers, InboundMessage, MessageConsumer, RawHeader, MessageProducer, OutboundMessage } from "./core/messaging.ts";
import { drainInFlight } from "./drain.ts";

/** kafkajs log lines go through our logger, at warning and above: its info level is chatty. */
function kafkaLogCreator(logger: Logger) {
  return () =>
    ({ level, log }: LogEntry) => {
      const { message, ...extra } = log;
      const fields = { component: "kafkajs", namespace: extra.namespace, error: extra.error };
      if (level <= logLevel.ERROR) logger.error(fields, message);
      else if (level === logLevel.WARN) logger.warn(fields, message);
      else logger.debug(fields, message);
    };
}

export function createKafka(connection: KafkaConnectionOptions, logger: Logger): Kafka {
  return new Kafka({
    clientId: connection.clientId,
    brokers: connection.brokers,
    ssl: connection.ssl,
    // kafkajs types SASL options per mechanism; the platform's shape is the union of them.
    ...(connection.sasl ? { sasl: connection.sasl as KafkaConfig["sasl"] } : {}),
    logLevel: logLevel.WARN,
    logCreator: kafkaLogCreator(logger),
    // The broker being away is an expected state (restarts, failover): keep trying, never give up.
    retry: { initialRetryTime: 300, maxRetryTime: 5_000, retries: 8 },
  });
}

function toRawHeaders(raw: IHeaders | undefined): RawHeader[] {
  const out: RawHeader[] = [];
  for (const [key, value] of Object.entries(raw ?? {})) {
    for (const v of Array.isArray(value) ? value : [value]) {
      if (v !== undefined) out.push({ key, value: Buffer.isBuffer(v) ? v : Buffer.from(v) });
    }
  }
  return out;
}

/**
 * kafkajs takes headers as an object: a repeated name becomes an array of its values, in order,
 * but the interleaving of different names is not kept.
 */
function toKafkajsHeaders(message: OutboundMessage): IHeaders {
  const out: Record<string, (Buffer | string)[]> = {};
  for (const { key, value } of message.originalHeaders ?? []) (out[key] ??= []).push(value);
  for (const [key, value] of Object.entries(message.headers)) (out[key] ??= []).push(value);
  return Object.fromEntries(Object.entries(out).map(([key, values]) => [key, values.length === 1 ? values[0]! : values]));
}

function toHeaders(raw: readonly RawHeader[]): Headers {
  const out: Record<string, Buffer | undefined> = {};
  for (const { key, value } of raw) out[key.toLowerCase()] ??= value;
  return out;
}

export interface KafkaConsumerOptions {
  groupId: string;
  topic: string;
  fromBeginning: boolean;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  maxBytesPerPartition: number;
  partitionsConsumedConcurrently: number;
  /** Longest a fetch waits for data; defaults to kafkajs's 5 s. */
  maxWaitTimeMs?: number;
}

/**
 * kafkajs behind MessageConsumer. Offsets are never committed automatically: only after
 * the handler reports what it wrote, and never for a batch whose partition was revoked in
 * the meantime (kafkajs marks it stale), so a rebalance cannot commit unwritten work.
 */
export class KafkajsConsumer implements MessageConsumer {
  readonly #kafka: Kafka;
  readonly #options: KafkaConsumerOptions;
  readonly #logger: Logger;
  #consumer: Consumer | undefined;
  #paused = false;
  readonly #stopping = new AbortController();
  readonly #active = new Set<Promise<void>>();

  constructor(kafka: Kafka, options: KafkaConsumerOptions, logger: Logger) {
    this.#kafka = kafka;
    this.#options = options;
    this.#logger = logger;
  }

  async start(handler: BatchHandler): Promise<void> {
    const consumer = this.#kafka.consumer({
      groupId: this.#options.groupId,
      sessionTimeout: this.#options.sessionTimeoutMs,
      heartbeatInterval: this.#options.heartbeatIntervalMs,
      maxBytesPerPartition: this.#options.maxBytesPerPartition,
      ...(this.#options.maxWaitTimeMs !== undefined ? { maxWaitTimeInMs: this.#options.maxWaitTimeMs } : {}),
      // A crash of the consumer loop (broker gone for longer than the retries) restarts it;
      // uncommitted work is fetched again from the last committed offset.
      retry: { initialRetryTime: 500, maxRetryTime: 10_000, retries: 10, restartOnFailure: async () => true },
    });
    this.#consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topics: [this.#options.topic], fromBeginning: this.#options.fromBeginning });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.#options.partitionsConsumedConcurrently,
      eachBatch: (payload) => this.#onBatch(payload, handler),
    });
    if (this.#paused) consumer.pause([{ topic: this.#options.topic }]);
  }

  async #onBatch(payload: EachBatchPayload, handler: BatchHandler): Promise<void> {
    const work = this.#handle(payload, handler);
    this.#active.add(work);
    try {
      await work;
    } finally {
      this.#active.delete(work);
    }
  }

  async #handle(payload: EachBatchPayload, handler: BatchHandler): Promise<void> {
    const { batch } = payload;
    if (batch.messages.length === 0 || this.#paused) return;
    const messages: InboundMessage[] = batch.messages.map((m) => {
      const originalHeaders = toRawHeaders(m.headers);
      return {
        topic: batch.topic,
        partition: batch.partition,
        offset: m.offset,
        key: m.key,
        value: m.value,
        headers: toHeaders(originalHeaders),
        originalHeaders,
        timestamp: Number(m.timestamp),
      };
    });
    const result = await handler(
      { topic: batch.topic, partition: batch.partition, messages, lag: Math.max(0, Number(batch.offsetLag())) },
      {
        heartbeat: () => payload.heartbeat(),
        isStale: () => payload.isStale(),
        isRunning: () => payload.isRunning(),
        signal: this.#stopping.signal,
      },
    );
    if (result.processedThrough !== null) {
      // The next fetch of this partition starts after what was written; the rest comes again.
      payload.resolveOffset(result.processedThrough);
      if (!payload.isStale()) {
        const next = (BigInt(result.processedThrough) + 1n).toString();
        await payload.commitOffsetsIfNecessary({
          topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: next }] }],
        });
      }
    }
    if (result.pause) this.pause();
  }

  pause(): void {
    if (this.#paused) return;
    this.#paused = true;
    this.#consumer?.pause([{ topic: this.#options.topic }]);
    this.#logger.warn({ topic: this.#options.topic }, "consumption paused");
  }

  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#consumer?.resume([{ topic: this.#options.topic }]);
    this.#logger.info({ topic: this.#options.topic }, "consumption resumed");
  }

  isPaused(): boolean {
    return this.#paused;
  }

  /**
   * Stops fetching, gives the batches in progress `graceMs` to finish (their database
   * write and offset commit included), then aborts whatever is still running: abandoned
   * work is neither written nor committed, so it is redelivered. Leaves the group last.
   */
  async stop(graceMs = 0): Promise<void> {
    this.pause();
    await drainInFlight(this.#active, graceMs, this.#stopping);
    // disconnect() waits for kafkajs's own loop to finish and leaves the group.
    await this.#consumer?.disconnect();
  }
}

export class KafkajsProducer implements MessageProducer {
  readonly #producer: Producer;

  constructor(kafka: Kafka) {
    // Not kafkajs's idempotent mode: it wants unlimited retries, and a send that never gives up
    // would hold a batch (and a shutdown) forever while Kafka is away. A retried send may
    // therefore write twice; consumers of our topics dedupe by key (document id, or the
    // original coordinates of a dead letter). One request in flight keeps retries in order.
    this.#producer = kafka.producer({
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  connect(): Promise<void> {
    return this.#producer.connect();
  }

  async send(topic: string, messages: readonly OutboundMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await this.#producer.send({
      topic,
      acks: -1,
      messages: messages.map((m) => ({ key: m.key, value: m.value, headers: toKafkajsHeaders(m) })),
    });
  }

  disconnect(): Promise<void> {
    return this.#producer.disconnect();
  }
}
