/**
 * The worker's own view of a message broker, a port of the core: just what the extraction
 * loop needs, so that the Kafka client library can be swapped (and two compared) without
 * touching the processing code. Implementations: platformatic-adapter.ts, kafkajs-adapter.ts.
 */

/**
 * Kafka headers by lower-cased name (producers differ in how they spell "Content-Type");
 * the first value wins when a name repeats. InboundMessage.originalHeaders keeps them as sent.
 */
export type Headers = Readonly<Record<string, Buffer | undefined>>;

export interface RawHeader {
  readonly key: string;
  readonly value: Buffer;
}

/** A header by name, ignoring case. */
export function headerValue(headers: Headers, name: string): Buffer | undefined {
  return headers[name.toLowerCase()];
}

export interface InboundMessage {
  readonly topic: string;
  readonly partition: number;
  /** Offsets are decimal strings: they can exceed 2^53. */
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Headers;
  /** Every header exactly as the producer sent it, in order (for dead letters). */
  readonly originalHeaders: readonly RawHeader[];
  /** Broker or producer timestamp, ms since the epoch. */
  readonly timestamp: number;
}

export interface InboundBatch {
  readonly topic: string;
  readonly partition: number;
  readonly messages: readonly InboundMessage[];
  /** Messages between the end of this batch and the partition's high watermark. */
  readonly lag: number;
}

/**
 * What a batch handler reports back. Offsets up to and including `processedThrough` are
 * durably handled (written to the database or dead-lettered) and may be committed;
 * anything after it must be fetched again. `pause` asks the consumer to stop fetching
 * until `resume` is called, because a dependency is down.
 */
export interface BatchResult {
  readonly processedThrough: string | null;
  readonly pause: boolean;
}

export interface BatchContext {
  /** Keeps the group membership alive during long work; throws when a rebalance has started. */
  heartbeat(): Promise<void>;
  /** True when this batch's partition was revoked or rewound: its results must not be committed. */
  isStale(): boolean;
  /** False once the consumer is stopping. */
  isRunning(): boolean;
  /** Aborted when the consumer is stopping and the grace period is over: abandon, write nothing more. */
  readonly signal: AbortSignal;
}

export type BatchHandler = (batch: InboundBatch, context: BatchContext) => Promise<BatchResult>;

export interface MessageConsumer {
  /** Joins the group and delivers batches until stop(). */
  start(handler: BatchHandler): Promise<void>;
  /** Stops fetching from every assigned partition; the current position is kept. */
  pause(): void;
  resume(): void;
  isPaused(): boolean;
  /**
   * Stops fetching and lets running handlers finish for up to `graceMs`, then aborts
   * them through BatchContext.signal; commits nothing on its own; leaves the group.
   */
  stop(graceMs?: number): Promise<void>;
}

export interface OutboundMessage {
  readonly key: Buffer | string | null;
  readonly value: Buffer;
  readonly headers: Readonly<Record<string, Buffer | string>>;
  /**
   * Headers exactly as an upstream producer sent them (order and repeated names kept), sent
   * before `headers`: a dead-letter replay hands the documents topic what it first received.
   */
  readonly originalHeaders?: readonly RawHeader[];
}

/**
 * A send that failed after some of its messages were written (their partitions' leaders answered,
 * another's did not, as when a broker dies): `written` holds their indexes in the send. Sending
 * those again would publish them twice.
 */
export class PartialSendError extends Error {
  readonly written: ReadonlySet<number>;

  constructor(cause: unknown, written: ReadonlySet<number>) {
    super(`${written.size} message(s) written before the send failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = "PartialSendError";
    this.written = written;
  }
}

export interface MessageProducer {
  connect(): Promise<void>;
  /**
   * Resolves once every replica in sync has the messages (acks = all). Throws PartialSendError
   * when it knows that part of them was written, any other error when none (or it cannot tell).
   */
  send(topic: string, messages: readonly OutboundMessage[]): Promise<void>;
  disconnect(): Promise<void>;
}
