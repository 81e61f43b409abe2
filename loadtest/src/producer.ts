import { encodeDocumentReceived } from "@liability/contracts";
import type { Producer } from "kafkajs";
import type { LoadDocument } from "./corpus.ts";
import type { Profile } from "./profiles.ts";
import { nowMs, type RunState } from "./run-state.ts";

export interface PacedProducerOptions {
  producer: Producer;
  topic: string;
  documents: readonly LoadDocument[];
  profile: Profile;
  state: RunState;
  /** Scheduling granularity: how often due documents are handed to the client, as one batch. */
  tickMs: number;
  /** Batches awaiting the broker's acknowledgement before the producer stops adding more. */
  maxInFlight: number;
  /** Tenants to spread documents over (row-level security and per-tenant indexes see several). */
  tenants: number;
  /** Called once a second with the offered rate so the driver can watch saturation. */
  onSecond?: (second: number) => void;
  /** The driver sets this to stop the profile early (saturation, Ctrl-C). */
  signal: AbortSignal;
}

export interface ProducerResult {
  offered: number;
  published: number;
  /** Documents that were due but not yet handed to the client when the run ended: the producer fell behind. */
  behind: number;
  startedAtMs: number;
  endedAtMs: number;
  /** Offered documents per whole second of the run (the profile integrated). */
  offeredPerSecond: number[];
}

/**
 * Open-loop producer: documents are due at the times the profile says, whatever the system under
 * test does. (A closed loop that waits for results would slow down with the system and hide
 * its saturation.) Each tick publishes the documents due since the last one as one batch.
 */
export async function runPacedProducer(o: PacedProducerOptions): Promise<ProducerResult> {
  const { profile, state } = o;
  const startedAtMs = nowMs();
  const offeredPerSecond: number[] = [];
  let cumulative = 0;
  let lastT = 0;
  let inFlight = 0;
  let lastSecond = -1;
  const pending = new Set<Promise<void>>();

  for (;;) {
    if (o.signal.aborted) break;
    const t = (nowMs() - startedAtMs) / 1000;
    const end = Math.min(t, profile.durationS);
    // Integrate the rate in small slices so steps and curves are followed closely.
    while (lastT < end) {
      const dt = Math.min(0.001, end - lastT);
      const r = profile.rate(lastT + dt / 2);
      cumulative += r * dt;
      const second = Math.floor(lastT);
      offeredPerSecond[second] = (offeredPerSecond[second] ?? 0) + r * dt;
      lastT += dt;
    }
    const second = Math.floor(t);
    if (second !== lastSecond) {
      lastSecond = second;
      o.onSecond?.(second);
    }

    // The epsilon absorbs floating-point drift of the sum, so 40/s for 5 s is 200 documents, not 199.
    const due = Math.min(Math.floor(cumulative + 1e-6), state.capacity) - state.published;
    if (due > 0 && inFlight < o.maxInFlight) {
      const count = Math.min(due, 5000);
      const messages = new Array(count);
      const first = state.published;
      // The event's received_at is the start of the end-to-end clock; it has millisecond resolution.
      const stamp = Math.floor(nowMs());
      for (let i = 0; i < count; i++) {
        const seq = first + i;
        const doc = o.documents[seq % o.documents.length]!;
        const documentId = state.documentId(seq);
        state.sentAt[seq] = stamp;
        messages[i] = {
          key: documentId,
          value: encodeDocumentReceived({
            documentId,
            kind: doc.kind,
            tenantId: `lt-tenant-${seq % o.tenants}`,
            sourceSystem: "loadtest",
            receivedAtMs: stamp,
            text: doc.bytes,
          }).value,
        };
      }
      state.published += count;
      inFlight++;
      const p = o.producer
        .send({ topic: o.topic, messages, acks: -1 })
        .then(
          () => {
            const acked = nowMs();
            for (let i = 0; i < count; i++) state.ackedAt[first + i] = acked;
          },
          () => {
            state.publishErrors += count;
          },
        )
        .finally(() => {
          inFlight--;
          pending.delete(p);
        });
      pending.add(p);
    }
    if (t >= profile.durationS || state.published >= state.capacity) break;
    await new Promise((r) => setTimeout(r, o.tickMs));
  }
  await Promise.allSettled(pending);
  const offered = Math.floor(cumulative + 1e-6);
  return {
    offered,
    published: state.published,
    behind: Math.max(0, offered - state.published),
    startedAtMs,
    endedAtMs: nowMs(),
    offeredPerSecond,
  };
}
