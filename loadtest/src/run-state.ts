/**
 * Everything a run learns about each document it published, indexed by its sequence number.
 * Typed arrays rather than maps: a ramp publishes millions of documents and the driver shares
 * the machine's two cores with the system under test, so per-document objects would cost
 * both memory and garbage-collection time that would show up as worker latency.
 */
export const OUTCOME_NONE = 0;
export const OUTCOME_ACCEPTED = 1;
export const OUTCOME_REVIEW = 2;
export const OUTCOME_DEAD_LETTER = 3;

export class RunState {
  readonly runId: string;
  readonly capacity: number;
  /** Wall-clock ms (fractional) at which the event was stamped and handed to the producer. */
  readonly sentAt: Float64Array;
  /** Wall-clock ms at which the broker acknowledged the publish (NaN until then). */
  readonly ackedAt: Float64Array;
  /** recorded_at of the LiabilityRecorded event minus received_at: the worker's commit latency. */
  readonly commitLatency: Float32Array;
  /** Arrival of the LiabilityRecorded event at the driver minus received_at: what a downstream reader sees. */
  readonly observedLatency: Float32Array;
  readonly outcome: Uint8Array;
  /** Outcomes seen more than once for one document: must stay 0 (exactly once). */
  duplicates = 0;
  published = 0;
  publishErrors = 0;
  /** Ids under another run's prefix or otherwise not ours: ignored, counted for the record. */
  foreign = 0;

  constructor(runId: string, capacity: number) {
    this.runId = runId;
    this.capacity = capacity;
    this.sentAt = new Float64Array(capacity).fill(Number.NaN);
    this.ackedAt = new Float64Array(capacity).fill(Number.NaN);
    this.commitLatency = new Float32Array(capacity).fill(Number.NaN);
    this.observedLatency = new Float32Array(capacity).fill(Number.NaN);
    this.outcome = new Uint8Array(capacity);
  }

  /** Document ids are `lt-<runId>-<seq>`, so the driver can find a document's slot without a map. */
  documentId(seq: number): string {
    return `lt-${this.runId}-${seq}`;
  }

  seqOf(documentId: string): number {
    const prefix = `lt-${this.runId}-`;
    if (!documentId.startsWith(prefix)) return -1;
    const seq = Number(documentId.slice(prefix.length));
    return Number.isInteger(seq) && seq >= 0 && seq < this.published ? seq : -1;
  }

  /** Records one outcome; returns false for a duplicate or a foreign id. */
  record(documentId: string, outcome: number, recordedAtMs: number | undefined, observedAtMs: number): boolean {
    const seq = this.seqOf(documentId);
    if (seq < 0) {
      this.foreign++;
      return false;
    }
    if (this.outcome[seq] !== OUTCOME_NONE) {
      this.duplicates++;
      return false;
    }
    this.outcome[seq] = outcome;
    this.completed++;
    const sent = this.sentAt[seq]!;
    this.observedLatency[seq] = observedAtMs - sent;
    if (recordedAtMs !== undefined) this.commitLatency[seq] = recordedAtMs - sent;
    return true;
  }

  /** Documents with an outcome (recorded, sent to review or dead-lettered). */
  completed = 0;
}

/** Wall-clock milliseconds with sub-millisecond resolution (Date.now() alone is integer ms). */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}
