// What a dead letter says, read from the dead-letter topic: pure decoding and selection, no I/O.
import { fromBinary, fromJsonString } from "@bufbuild/protobuf";
import { timestampMs } from "@bufbuild/protobuf/wkt";
import { DeadLetterReason, DeadLetterSchema, DocumentReceivedSchema } from "@liability/contracts";
import type { DocumentReceived } from "@liability/contracts";
import type { RawHeader } from "../core/messaging.ts";
import { deadLetterReasonName } from "../core/events.ts";
import { DeadLetterCliError } from "./errors.ts";
import type { StoredMessage } from "./kafka-reader.ts";

/** Where a letter sits in the dead-letter topic: how an operator names it (`partition:offset`). */
export interface LetterCoordinates {
  readonly partition: number;
  readonly offset: string;
}

/** What the original event says about its document, as far as it decodes; never its text. */
export interface DocumentSummary {
  readonly tenantId: string;
  readonly documentId: string;
  readonly sourceSystem: string;
  readonly textBytes: number | null;
}

export interface DeadLetterView extends LetterCoordinates {
  readonly reason: string;
  readonly detail: string;
  readonly attempts: number;
  readonly firstFailureMs: number | null;
  /** When it was dead-lettered: the letter's last failure, or the Kafka timestamp. */
  readonly atMs: number;
  readonly original: {
    readonly topic: string;
    readonly partition: number;
    readonly offset: string;
    readonly key: Buffer | null;
    readonly value: Buffer;
    readonly headers: readonly RawHeader[];
  };
  /** The dead letter's own headers (reason, the worker's trace). */
  readonly letterHeaders: readonly RawHeader[];
  readonly document: DocumentSummary | null;
  /** The marker of an earlier replay, when this letter is a replayed event that failed again. */
  readonly replayOf: string | null;
}

/** Replay marker headers: which letter an event replays, when, and its ledger row. */
export const REPLAY_OF_HEADER = "x-replay-of";
export const REPLAYED_AT_HEADER = "x-replayed-at";
export const REPLAY_ID_HEADER = "x-replay-id";
const REPLAY_HEADERS = new Set([REPLAY_OF_HEADER, REPLAYED_AT_HEADER, REPLAY_ID_HEADER]);

/** A letter's name in the ledger and in the marker: `<dlq-topic>/<partition>/<offset>`. */
export function letterName(topic: string, letter: LetterCoordinates): string {
  return `${topic}/${letter.partition}/${letter.offset}`;
}

/** Reason names as headers, metrics and the audit spell them (EMPTY_TEXT, …). */
export const REASON_NAMES: readonly string[] = Object.values(DeadLetterReason)
  .filter((v): v is DeadLetterReason => typeof v === "number" && v !== DeadLetterReason.UNSPECIFIED)
  .map(deadLetterReasonName);

/** Accepts EMPTY_TEXT, empty_text or DEAD_LETTER_REASON_EMPTY_TEXT. */
export function parseReason(input: string): string {
  const name = input
    .trim()
    .toUpperCase()
    .replace(/^DEAD_LETTER_REASON_/, "");
  if (!REASON_NAMES.includes(name)) throw new DeadLetterCliError("usage", `unknown reason ${JSON.stringify(input)}; one of ${REASON_NAMES.join(", ")}`);
  return name;
}

/** `3:1207` → partition 3, offset 1207. */
export function parseCoordinates(input: string): LetterCoordinates {
  const match = /^(\d{1,9}):(\d{1,19})$/.exec(input.trim());
  if (!match) throw new DeadLetterCliError("usage", `expected partition:offset (e.g. 0:42), got ${JSON.stringify(input)}`);
  return { partition: Number(match[1]), offset: BigInt(match[2]!).toString() };
}

export function parseSince(input: string): number {
  const ms = Date.parse(input);
  if (Number.isNaN(ms)) throw new DeadLetterCliError("usage", `--since expects an ISO 8601 time (2026-12-04T02:00:00Z), got ${JSON.stringify(input)}`);
  return ms;
}

function headerText(headers: readonly RawHeader[], name: string): string | undefined {
  return headers.find((h) => h.key.toLowerCase() === name)?.value.toString("utf8");
}

/** The original event decoded as the worker would (the content-type header decides), or null. */
export function decodeOriginalEvent(value: Buffer, headers: readonly RawHeader[]): DocumentReceived | null {
  const json = headerText(headers, "content-type")?.split(";")[0]?.trim().toLowerCase() === "application/json";
  try {
    return json ? fromJsonString(DocumentReceivedSchema, value.toString("utf8"), { ignoreUnknownFields: true }) : fromBinary(DocumentReceivedSchema, value);
  } catch {
    return null;
  }
}

/** The original event's identity, never its text. */
function summarise(value: Buffer, headers: readonly RawHeader[]): DocumentSummary | null {
  const event = decodeOriginalEvent(value, headers);
  if (event === null) return null;
  return {
    tenantId: event.tenantId,
    documentId: event.documentId,
    sourceSystem: event.sourceSystem,
    textBytes: event.content.case === "text" ? event.content.value.length : null,
  };
}

/** A dead-letter topic message as a letter; a message that is not a DeadLetter is an error. */
export function readLetter(message: StoredMessage): DeadLetterView {
  let letter: ReturnType<typeof fromBinary<typeof DeadLetterSchema>>;
  try {
    letter = fromBinary(DeadLetterSchema, message.value ?? new Uint8Array());
  } catch (error) {
    throw new DeadLetterCliError("not_found", `${message.partition}:${message.offset} is not a dead letter (${String(error)})`);
  }
  const value = Buffer.from(letter.originalValue);
  const headers = letter.originalHeaders.map((h) => ({ key: h.key, value: Buffer.from(h.value) }));
  return {
    partition: message.partition,
    offset: message.offset,
    reason: deadLetterReasonName(letter.reason),
    detail: letter.errorDetail,
    attempts: letter.attempts,
    firstFailureMs: letter.firstFailureAt ? timestampMs(letter.firstFailureAt) : null,
    atMs: letter.lastFailureAt ? timestampMs(letter.lastFailureAt) : message.timestamp,
    original: {
      topic: letter.originalTopic,
      partition: letter.originalPartition,
      offset: letter.originalOffset.toString(),
      key: letter.originalKey.length > 0 ? Buffer.from(letter.originalKey) : null,
      value,
      headers,
    },
    letterHeaders: message.headers,
    document: summarise(value, headers),
    replayOf: headerText(headers, REPLAY_OF_HEADER) ?? null,
  };
}

export interface LetterFilter {
  readonly reason?: string;
  readonly sinceMs?: number;
}

export function matches(letter: DeadLetterView, filter: LetterFilter): boolean {
  return (filter.reason === undefined || letter.reason === filter.reason) && (filter.sinceMs === undefined || letter.atMs >= filter.sinceMs);
}

/** Counts per reason, most frequent first. */
export function byFrequency(counts: ReadonlyMap<string, number>): [string, number][] {
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

export interface ReplayMarker {
  readonly dlqTopic: string;
  readonly replayId: string;
  readonly replayedAtMs: number;
}

/**
 * The event to publish again: the original key, bytes and headers as the upstream producer sent
 * them, plus the marker. An earlier replay's marker is dropped (the ledger keeps the chain), so an
 * event never carries two answers to "which letter is this".
 */
export function replayMessage(letter: DeadLetterView, marker: ReplayMarker) {
  return {
    key: letter.original.key,
    value: letter.original.value,
    originalHeaders: letter.original.headers.filter((h) => !REPLAY_HEADERS.has(h.key.toLowerCase())),
    headers: {
      [REPLAY_OF_HEADER]: letterName(marker.dlqTopic, letter),
      [REPLAYED_AT_HEADER]: new Date(marker.replayedAtMs).toISOString(),
      [REPLAY_ID_HEADER]: marker.replayId,
    },
  };
}
