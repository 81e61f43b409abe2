import { DeadLetterReason } from "@liability/contracts";
import type { DecodeResult } from "./decode.ts";
import { deadLetterReasonName, encodeDeadLetter } from "./events.ts";
import type { BatchResult, InboundMessage, OutboundMessage } from "./messaging.ts";
import type { Outcome } from "./outcome.ts";
import { keyOf } from "./ports.ts";
import type { AttemptRow, RecordRow } from "./ports.ts";

/** One message of a batch as the batch decisions see it. */
export interface BatchEntry {
  readonly message: InboundMessage;
  readonly decoded: DecodeResult;
  /** Undefined while undecided. */
  readonly outcome: Outcome | undefined;
  readonly traceId: string | null;
}

/**
 * How many messages from the start of the batch are finished, and so may be written and
 * committed: everything from the first pending (or undecided) message on is left for
 * redelivery, so that nothing is skipped.
 */
export function committablePrefix(outcomes: readonly (Outcome | undefined)[]): number {
  const firstUnfinished = outcomes.findIndex((o) => o === undefined || o.type === "pending");
  return firstUnfinished === -1 ? outcomes.length : firstUnfinished;
}

/** What one transaction writes for a batch whose first `committable` messages are finished. */
export interface BatchWrite {
  readonly records: readonly RecordRow[];
  readonly attempts: readonly AttemptRow[];
}

/**
 * Records of the finished messages only; attempts of every message, so that the calls made
 * for a document left for redelivery are audited too (as retries).
 */
export function batchWrite(entries: readonly BatchEntry[], committable: number): BatchWrite {
  const records = entries.slice(0, committable).flatMap((e) => (e.outcome?.type === "record" ? [e.outcome.row] : []));
  const attempts = entries.flatMap((e, index) => attemptRows(e, index < committable));
  return { records, attempts };
}

/**
 * The audit of one message's sidecar calls. Only the last attempt of a finished message
 * says how it ended; every other attempt is a retry. A message dead-lettered without a call
 * gets one row for the dead letter itself; one without a document id gets none.
 */
export function attemptRows(entry: Omit<BatchEntry, "message">, finished: boolean): AttemptRow[] {
  const { decoded, outcome, traceId } = entry;
  if (!outcome || outcome.type === "duplicate") return [];
  const documentId = decoded.documentId;
  if (documentId === "") return [];
  const tenantId = decoded.ok ? decoded.tenantId : null;
  const attempts = outcome.attempts;
  const rows: AttemptRow[] = attempts.map((a, index) => {
    let result: AttemptRow["outcome"] = "retry";
    if (index === attempts.length - 1 && finished) {
      if (outcome.type === "record") result = outcome.final;
      else if (outcome.type === "poison") result = "dead_lettered";
    }
    return {
      documentId,
      tenantId,
      attempt: a.attempt,
      outcome: result,
      errorCode: a.errorCode,
      latencyMs: a.latencyMs,
      modelVersion: outcome.type === "record" ? outcome.modelVersion || null : null,
      traceId,
    };
  });
  if (attempts.length === 0 && outcome.type === "poison" && finished) {
    rows.push({
      documentId,
      tenantId,
      attempt: 1,
      outcome: "dead_lettered",
      errorCode: deadLetterReasonName(outcome.poison.reason),
      latencyMs: null,
      modelVersion: null,
      traceId,
    });
  }
  return rows;
}

/**
 * A record the database refused as data (see RowsRejectedError): writing it again would fail
 * again, so it becomes a dead letter with the database's reason; its calls stay in the audit.
 */
export function rejectedByDatabase(outcome: Extract<Outcome, { type: "record" }>, detail: string): Outcome {
  return {
    type: "poison",
    poison: { ok: false, reason: DeadLetterReason.REJECTED_BY_DATABASE, detail: `database refused the record: ${detail}`, documentId: outcome.row.documentId },
    attempts: outcome.attempts,
  };
}

/** After the write: a record the store did not insert was recorded first by someone else. */
export function outcomeAfterWrite(outcome: Outcome | undefined, inserted: ReadonlySet<string>): Outcome | undefined {
  if (outcome?.type === "record" && !inserted.has(keyOf(outcome.row))) return { type: "duplicate" };
  return outcome;
}

/** The dead letter for a poison message: the original untouched, the reason, and its trace. */
export function deadLetterMessage(
  message: InboundMessage,
  outcome: Extract<Outcome, { type: "poison" }>,
  traceHeaders: Readonly<Record<string, string>>,
  nowMs: number,
): OutboundMessage {
  const { poison, attempts } = outcome;
  return {
    key: message.key,
    value: Buffer.from(
      encodeDeadLetter({
        message,
        reason: poison.reason,
        detail: poison.detail,
        documentId: poison.documentId,
        attempts: Math.max(1, attempts.length),
        firstFailureMs: nowMs,
        lastFailureMs: nowMs,
      }),
    ),
    headers: {
      ...traceHeaders,
      "content-type": "application/x-protobuf",
      "dead-letter-reason": deadLetterReasonName(poison.reason),
    },
  };
}

/**
 * What the consumer may commit: up to the last finished message. An unfinished rest asks for
 * a pause (a dependency is down), unless the batch was abandoned (shutdown or rebalance),
 * which needs none.
 */
export function batchResult(messages: readonly InboundMessage[], committable: number, abandoned: boolean): BatchResult {
  return {
    processedThrough: committable > 0 ? messages[committable - 1]!.offset : null,
    pause: committable < messages.length && !abandoned,
  };
}
