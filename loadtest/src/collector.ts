import { fromBinary } from "@bufbuild/protobuf";
import { timestampMs } from "@bufbuild/protobuf/wkt";
import { DeadLetterReason, DeadLetterSchema, LiabilityRecordedSchema, RecordStatus } from "@liability/contracts";
import type { Admin, Consumer, Kafka } from "kafkajs";
import { nowMs, OUTCOME_ACCEPTED, OUTCOME_DEAD_LETTER, OUTCOME_REVIEW, type RunState } from "./run-state.ts";

export interface OutcomeCollectorOptions {
  kafka: Kafka;
  recordedTopic: string;
  deadLetterTopic: string;
  state: RunState;
  groupId: string;
}

export interface CollectorCounters {
  accepted: number;
  review: number;
  deadLetters: number;
  /** Dead letters of this run by reason name. */
  deadLetterReasons: Record<string, number>;
  /** Review reasons of this run's records sent to review, by rule name. */
  reviewReasons: Record<string, number>;
  /** Events that did not decode: a contract mismatch worth knowing about. */
  undecodable: number;
}

/**
 * Reads LiabilityRecorded and dead-letter events and files each under its document's sequence
 * number. It starts at the topics' current end so that earlier runs and other traffic are not
 * replayed, and it ignores ids that are not this run's.
 */
export class OutcomeCollector {
  readonly counters: CollectorCounters = { accepted: 0, review: 0, deadLetters: 0, deadLetterReasons: {}, reviewReasons: {}, undecodable: 0 };
  readonly #o: OutcomeCollectorOptions;
  #consumer: Consumer | undefined;

  constructor(options: OutcomeCollectorOptions) {
    this.#o = options;
  }

  async start(): Promise<void> {
    const { kafka, recordedTopic, deadLetterTopic, state } = this.#o;
    const admin = kafka.admin();
    await admin.connect();
    const ends = new Map<string, { partition: number; offset: string }[]>();
    try {
      for (const topic of [recordedTopic, deadLetterTopic]) ends.set(topic, await admin.fetchTopicOffsets(topic));
    } finally {
      await admin.disconnect();
    }
    const consumer = kafka.consumer({ groupId: this.#o.groupId, maxWaitTimeInMs: 50, sessionTimeout: 30_000 });
    this.#consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topics: [recordedTopic, deadLetterTopic], fromBeginning: false });
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: true,
      eachBatch: async ({ batch }) => {
        const observed = nowMs();
        if (batch.topic === recordedTopic) {
          for (const m of batch.messages) {
            if (!m.value) continue;
            try {
              const event = fromBinary(LiabilityRecordedSchema, m.value);
              const outcome = event.status === RecordStatus.REVIEW ? OUTCOME_REVIEW : OUTCOME_ACCEPTED;
              const recordedAt = event.recordedAt ? timestampMs(event.recordedAt) : undefined;
              if (state.record(event.documentId, outcome, recordedAt, observed)) {
                if (outcome === OUTCOME_REVIEW) {
                  this.counters.review++;
                  for (const r of event.reviewReasons) this.counters.reviewReasons[r] = (this.counters.reviewReasons[r] ?? 0) + 1;
                } else this.counters.accepted++;
              }
            } catch {
              this.counters.undecodable++;
            }
          }
        } else {
          for (const m of batch.messages) {
            if (!m.value) continue;
            try {
              const letter = fromBinary(DeadLetterSchema, m.value);
              if (state.record(letter.documentId, OUTCOME_DEAD_LETTER, undefined, observed)) {
                this.counters.deadLetters++;
                const reason = DeadLetterReason[letter.reason] ?? String(letter.reason);
                this.counters.deadLetterReasons[reason] = (this.counters.deadLetterReasons[reason] ?? 0) + 1;
              }
            } catch {
              this.counters.undecodable++;
            }
          }
        }
      },
    });
    await joined;
    // A new group would start at "latest" as of its own first fetch; seeking to the ends read
    // before joining makes sure nothing published in between is missed.
    for (const [topic, offsets] of ends) {
      for (const { partition, offset } of offsets) consumer.seek({ topic, partition, offset });
    }
  }

  async stop(): Promise<void> {
    await this.#consumer?.disconnect();
  }
}

/** Consumer lag of the worker's group on the documents topic: the broker's view of the backlog. */
export class LagSampler {
  readonly #admin: Admin;
  readonly #groupId: string;
  readonly #topic: string;
  #connected = false;

  constructor(kafka: Kafka, groupId: string, topic: string) {
    this.#admin = kafka.admin();
    this.#groupId = groupId;
    this.#topic = topic;
  }

  async sample(): Promise<number | undefined> {
    try {
      if (!this.#connected) {
        await this.#admin.connect();
        this.#connected = true;
      }
      const [ends, committed] = await Promise.all([
        this.#admin.fetchTopicOffsets(this.#topic),
        this.#admin.fetchOffsets({ groupId: this.#groupId, topics: [this.#topic] }),
      ]);
      const done = new Map<number, bigint>();
      for (const t of committed) for (const p of t.partitions) done.set(p.partition, BigInt(p.offset));
      let lag = 0n;
      for (const p of ends) {
        const c = done.get(p.partition) ?? -1n;
        // -1: the group has committed nothing on this partition yet; everything from the low watermark is lag.
        const from = c < 0n ? BigInt(p.low) : c;
        lag += BigInt(p.high) - from;
      }
      return Number(lag);
    } catch {
      return undefined;
    }
  }

  async close(): Promise<void> {
    if (this.#connected) await this.#admin.disconnect();
  }
}

/** Queue depth and counters of the sidecar, read from its stats endpoint (the test double's /stats). */
export async function sampleSidecar(url: string | undefined): Promise<Record<string, number> | undefined> {
  if (!url) return undefined;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(500) });
    if (!res.ok) return undefined;
    return (await res.json()) as Record<string, number>;
  } catch {
    return undefined;
  }
}
