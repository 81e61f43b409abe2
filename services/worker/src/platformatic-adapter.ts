import { Consumer, defaultPartitioner, Producer, type Message, type MessagesStream } from "@platformatic/kafka";
import type { KafkaConnectionOptions, Logger } from "@liability/platform";
import type { KafkaConsumerOptions } from "./kafkajs-adapter.ts";
import { PartialSendError } from "./core/messaging.ts";
import type { BatchHandler, Headers, InboundMessage, MessageConsumer, MessageProducer, OutboundMessage } from "./core/messaging.ts";
import { drainInFlight } from "./drain.ts";

/**
 * @platformatic/kafka behind MessageConsumer/MessageProducer, the alternative to
 * kafkajs-adapter.ts that the load test (issue 7) compares. Same contract:
 * - batches are per partition and a partition has at most one batch in flight, so order holds;
 * - offsets are committed only after the handler reports what it wrote, never automatically;
 * - work of a previous group generation is never committed (a rebalance makes it stale);
 * - what the handler did not process is handed to it again, in order.
 *
 * The library delivers a stream of single messages; this adapter regroups them per partition.
 * After a rebalance the stream fetches again from the committed offsets, so the adapter drops
 * what it had buffered, ignores deliveries until the new offsets are known, then accepts each
 * partition from its committed offset on.
 */

/** The client options every @platformatic/kafka client of the worker starts from: brokers, TLS, SASL. */
export function bootstrapOptions(connection: KafkaConnectionOptions) {
  return {
    clientId: connection.clientId,
    bootstrapBrokers: connection.brokers,
    ...(connection.ssl === false ? {} : { tls: connection.ssl === true ? {} : { ca: connection.ssl.ca } }),
    ...(connection.sasl
      ? {
          sasl: {
            mechanism: ({ "scram-sha-256": "SCRAM-SHA-256", "scram-sha-512": "SCRAM-SHA-512", plain: "PLAIN" } as const)[connection.sasl.mechanism],
            username: connection.sasl.username,
            password: connection.sasl.password,
          },
        }
      : {}),
  };
}

interface PartitionState {
  partition: number;
  buffer: InboundMessage[];
  busy: boolean;
  /** Next offset this adapter accepts; undefined until the stream says where it resumes. */
  nextOffset: bigint | undefined;
  leaderEpoch: number;
}

/** Messages held across all partitions before the adapter stops fetching (memory bound). */
const MAX_BUFFERED = 10_000;

export class PlatformaticConsumer implements MessageConsumer {
  readonly #connection: KafkaConnectionOptions;
  readonly #options: KafkaConsumerOptions;
  readonly #logger: Logger;
  #consumer: Consumer | undefined;
  #stream: MessagesStream<Buffer, Buffer, Buffer, Buffer> | undefined;
  #handler: BatchHandler | undefined;
  readonly #partitions = new Map<number, PartitionState>();
  #generation = 0;
  /** Between a group join and the stream's new offsets, deliveries are from the old assignment. */
  #awaitingOffsets = true;
  #paused = false;
  #fetchHeld = false;
  #buffered = 0;
  #running = 0;
  readonly #stopping = new AbortController();
  readonly #active = new Set<Promise<void>>();

  constructor(connection: KafkaConnectionOptions, options: KafkaConsumerOptions, logger: Logger) {
    this.#connection = connection;
    this.#options = options;
    this.#logger = logger;
  }

  async start(handler: BatchHandler): Promise<void> {
    this.#handler = handler;
    const consumer = new Consumer({
      ...bootstrapOptions(this.#connection),
      groupId: this.#options.groupId,
      sessionTimeout: this.#options.sessionTimeoutMs,
      heartbeatInterval: this.#options.heartbeatIntervalMs,
      maxBytesPerPartition: this.#options.maxBytesPerPartition,
      autocommit: false,
      // The broker answers a fetch as soon as there is data, or after this long.
      maxWaitTime: 100,
      retries: Number.MAX_SAFE_INTEGER,
      retryDelay: 500,
    });
    this.#consumer = consumer;
    consumer.on("consumer:group:join", () => {
      // Everything buffered or in flight belongs to the previous assignment: never commit it.
      this.#generation++;
      this.#awaitingOffsets = true;
      for (const state of this.#partitions.values()) {
        this.#buffered -= state.buffer.length;
        state.buffer = [];
        state.nextOffset = undefined;
      }
      this.#updateFetchHold();
    });
    const stream = await consumer.consume({
      topics: [this.#options.topic],
      mode: "committed",
      fallbackMode: this.#options.fromBeginning ? "earliest" : "latest",
      autocommit: false,
    });
    this.#stream = stream;
    stream.on("offsets", () => {
      for (const [key, offset] of stream.offsetsToFetch) {
        const partition = Number(key.slice(key.lastIndexOf(":") + 1));
        this.#state(partition).nextOffset = offset;
      }
      this.#awaitingOffsets = false;
    });
    stream.on("data", (message: Message<Buffer, Buffer, Buffer, Buffer>) => this.#onMessage(message));
    stream.on("error", (error: Error) => this.#logger.error({ component: "platformatic-kafka", err: error }, "consumer stream error"));
    if (this.#paused) stream.pause();
  }

  #state(partition: number): PartitionState {
    let state = this.#partitions.get(partition);
    if (!state) {
      state = { partition, buffer: [], busy: false, nextOffset: undefined, leaderEpoch: -1 };
      this.#partitions.set(partition, state);
    }
    return state;
  }

  #onMessage(message: Message<Buffer, Buffer, Buffer, Buffer>): void {
    if (this.#awaitingOffsets) return;
    const state = this.#state(message.partition);
    if (state.nextOffset === undefined || message.offset < state.nextOffset) return;
    state.nextOffset = message.offset + 1n;
    state.leaderEpoch = message.leaderEpoch;
    const headers: Record<string, Buffer | undefined> = {};
    const originalHeaders: { key: string; value: Buffer }[] = [];
    for (const [k, v] of message.headers) {
      const key = k.toString("utf8");
      originalHeaders.push({ key, value: v });
      headers[key.toLowerCase()] ??= v;
    }
    state.buffer.push({
      topic: message.topic,
      partition: message.partition,
      offset: message.offset.toString(),
      key: message.key ?? null,
      value: message.value ?? null,
      headers: headers as Headers,
      originalHeaders,
      timestamp: Number(message.timestamp),
    });
    this.#buffered++;
    this.#updateFetchHold();
    this.#dispatch();
  }

  #updateFetchHold(): void {
    const stream = this.#stream;
    if (!stream) return;
    const hold = this.#paused || this.#buffered >= MAX_BUFFERED;
    if (hold && !this.#fetchHeld) stream.pause();
    if (!hold && this.#fetchHeld) stream.resume();
    this.#fetchHeld = hold;
  }

  #dispatch(): void {
    if (this.#paused || this.#stopping.signal.aborted) return;
    for (const state of this.#partitions.values()) {
      if (this.#running >= this.#options.partitionsConsumedConcurrently) return;
      if (state.busy || state.buffer.length === 0) continue;
      const messages = state.buffer;
      state.buffer = [];
      this.#buffered -= messages.length;
      state.busy = true;
      this.#running++;
      const work = this.#run(state, messages).finally(() => {
        state.busy = false;
        this.#running--;
        this.#active.delete(work);
        this.#updateFetchHold();
        this.#dispatch();
      });
      this.#active.add(work);
    }
  }

  async #run(state: PartitionState, messages: InboundMessage[]): Promise<void> {
    const generation = this.#generation;
    const isStale = () => generation !== this.#generation;
    const first = messages[0]!;
    const last = messages[messages.length - 1]!;
    try {
      const result = await this.#handler!(
        // The stream does not expose the high watermark per message; lag is measured by the group's offsets instead.
        { topic: first.topic, partition: state.partition, messages, lag: state.buffer.length },
        {
          // The library heartbeats on its own timer; a stale batch learns it here.
          heartbeat: async () => {
            if (isStale()) throw new Error("rebalance in progress: batch is stale");
          },
          isStale,
          isRunning: () => !this.#stopping.signal.aborted && !this.#paused,
          signal: this.#stopping.signal,
        },
      );
      if (isStale()) return;
      const through = result.processedThrough;
      if (through !== null) {
        await this.#consumer!.commit({
          offsets: [{ topic: first.topic, partition: state.partition, offset: BigInt(through) + 1n, leaderEpoch: state.leaderEpoch }],
        });
      }
      if (through === null || BigInt(through) < BigInt(last.offset)) {
        // Hand the rest to the handler again, ahead of anything fetched since.
        const rest = messages.filter((m) => through === null || BigInt(m.offset) > BigInt(through));
        state.buffer = [...rest, ...state.buffer];
        this.#buffered += rest.length;
      }
      if (result.pause) this.pause();
    } catch (error) {
      if (isStale()) return;
      // Same as kafkajs's restart-on-failure: nothing was committed, so the batch comes again.
      this.#logger.error({ component: "platformatic-kafka", err: error, partition: state.partition }, "batch failed; will retry");
      state.buffer = [...messages, ...state.buffer];
      this.#buffered += messages.length;
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  pause(): void {
    if (this.#paused) return;
    this.#paused = true;
    this.#updateFetchHold();
    this.#logger.warn({ topic: this.#options.topic }, "consumption paused");
  }

  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#updateFetchHold();
    this.#dispatch();
    this.#logger.info({ topic: this.#options.topic }, "consumption resumed");
  }

  isPaused(): boolean {
    return this.#paused;
  }

  async stop(graceMs = 0): Promise<void> {
    this.pause();
    await drainInFlight(this.#active, graceMs, this.#stopping);
    await this.#stream?.close().catch((err: unknown) => this.#logger.warn({ err }, "closing the consumer stream failed"));
    await this.#consumer?.close().catch((err: unknown) => this.#logger.warn({ err }, "closing the consumer failed"));
  }
}

/** Producer retries: 200 ms doubling to 2 s, about 19 s in all, longer than a crashed leader's fencing (9 s). */
const PRODUCER_RETRIES = 12;
const producerRetryDelay = (_client: unknown, _operation: string, attempt: number) => Math.min(200 * 2 ** (attempt - 1), 2_000);

export class PlatformaticProducer implements MessageProducer {
  readonly #producer: Producer<Buffer, Buffer, Buffer, Buffer>;

  constructor(connection: KafkaConnectionOptions) {
    // Idempotent with acks = all: a retry within a send does not write twice, as long as the
    // library keeps its producer id, which it resets when a send fails. So its retries must
    // outlast a leader's failover; a send that fails anyway reports what it wrote (below).
    this.#producer = new Producer({
      ...bootstrapOptions(connection),
      idempotent: true,
      acks: -1,
      retries: PRODUCER_RETRIES,
      retryDelay: producerRetryDelay,
    });
  }

  async connect(): Promise<void> {
    // The library connects lazily on the first send; fetching metadata here surfaces a bad
    // broker address at start-up, like kafkajs's connect().
    await this.#producer.metadata({ topics: [] });
  }

  async send(topic: string, messages: readonly OutboundMessage[]): Promise<void> {
    if (messages.length === 0) return;
    // Partitions are chosen here, as the library would (its default partitioner, round robin for
    // no key), so that a failed send's per-partition results say which messages were written.
    const { topics } = await this.#producer.metadata({ topics: [topic] });
    const partitionsCount = topics.get(topic)?.partitionsCount ?? 1;
    const records = messages.map((m, i) => {
      const key = m.key === null ? undefined : Buffer.isBuffer(m.key) ? m.key : Buffer.from(m.key);
      // Buffer keys are compared by identity, so a name the original headers repeat stays repeated.
      const headers = new Map<Buffer, Buffer>();
      for (const { key: k, value: v } of m.originalHeaders ?? []) headers.set(Buffer.from(k), v);
      for (const [k, v] of Object.entries(m.headers)) headers.set(Buffer.from(k), Buffer.isBuffer(v) ? v : Buffer.from(v));
      const partition = (key === undefined ? i : defaultPartitioner(undefined as never, key)) % partitionsCount;
      return { topic, partition, ...(key === undefined ? {} : { key }), value: m.value, headers };
    });
    try {
      await this.#producer.send({ messages: records });
    } catch (error) {
      const produced = (error as { produced?: { offsets?: { topic: string; partition: number }[] } }).produced;
      const writtenPartitions = new Set((produced?.offsets ?? []).filter((o) => o.topic === topic).map((o) => o.partition));
      const written = new Set(records.flatMap((r, i) => (writtenPartitions.has(r.partition) ? [i] : [])));
      throw written.size > 0 ? new PartialSendError(error, written) : error;
    }
  }

  async disconnect(): Promise<void> {
    await this.#producer.close();
  }
}
