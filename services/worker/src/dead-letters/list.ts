import type { TopicReader } from "./kafka-reader.ts";
import type { ReplayLedger, ReplayRecord } from "./ledger.ts";
import { byFrequency, letterName } from "./letters.ts";
import type { DeadLetterView, LetterFilter } from "./letters.ts";
import { cell } from "./output.ts";
import type { Output } from "./output.ts";
import { scanLetters } from "./scan.ts";

export interface ListOptions extends LetterFilter {
  /** Letters printed one per line (counts are always over every match). */
  readonly limit: number;
  readonly json: boolean;
}

export interface ListDeps {
  readonly reader: TopicReader;
  readonly ledger: ReplayLedger;
  readonly dlqTopic: string;
  readonly output: Output;
}

/** The identifying fields of a letter: nothing of the document's content. */
type ListedLetter = Pick<DeadLetterView, "partition" | "offset" | "reason" | "atMs" | "replayOf"> & { tenantId: string; documentId: string };

function listed(letter: DeadLetterView): ListedLetter {
  return {
    partition: letter.partition,
    offset: letter.offset,
    reason: letter.reason,
    atMs: letter.atMs,
    replayOf: letter.replayOf,
    tenantId: letter.document?.tenantId ?? "",
    documentId: letter.document?.documentId ?? "",
  };
}

/** A letter's replay state for the listing; "?" when the ledger could not be read. */
function replayState(replays: readonly ReplayRecord[] | undefined): string {
  if (replays === undefined) return "?";
  const last = replays.at(-1);
  if (!last) return "no";
  return last.publishedAt ? `yes #${last.id}` : `unconfirmed #${last.id}`;
}

/**
 * `list`: counts per reason and one line per letter (coordinates, time, reason, tenant, document
 * id, whether it was replayed). Only what identifies a letter is kept while reading, so a large
 * topic costs memory for the printed lines only.
 */
export async function listLetters(deps: ListDeps, options: ListOptions): Promise<void> {
  const { output, dlqTopic } = deps;
  const shown: ListedLetter[] = [];
  const counts = new Map<string, number>();
  let matched = 0;
  for await (const letter of scanLetters(deps.reader, dlqTopic, options, output)) {
    matched++;
    counts.set(letter.reason, (counts.get(letter.reason) ?? 0) + 1);
    if (shown.length < options.limit) shown.push(listed(letter));
  }
  let replays: Map<string, ReplayRecord[]> | undefined;
  try {
    replays = new Map();
    for (const record of await deps.ledger.replaysOf(dlqTopic, shown)) {
      const key = `${record.partition}:${record.offset}`;
      replays.set(key, [...(replays.get(key) ?? []), record]);
    }
  } catch (error) {
    replays = undefined;
    output.warn(`replay ledger not readable, REPLAYED shows "?": ${error instanceof Error ? error.message : String(error)}`);
  }
  const stateOf = (l: ListedLetter) => replayState(replays === undefined ? undefined : (replays.get(`${l.partition}:${l.offset}`) ?? []));

  if (options.json) {
    for (const l of shown) {
      const { atMs, ...fields } = l;
      output.line(JSON.stringify({ letter: letterName(dlqTopic, l), ...fields, at: new Date(atMs).toISOString(), replayed: stateOf(l) }));
    }
    output.progress(`${matched} dead letter(s); ${shown.length} listed`);
    return;
  }
  const filters = [options.reason && `reason ${options.reason}`, options.sinceMs !== undefined && `since ${new Date(options.sinceMs).toISOString()}`].filter(
    Boolean,
  );
  output.line(`${matched} dead letter(s) in ${dlqTopic}${filters.length > 0 ? ` (${filters.join(", ")})` : ""}`);
  for (const [reason, count] of byFrequency(counts)) output.line(`  ${reason.padEnd(26)} ${count}`);
  if (shown.length === 0) return;
  output.line("");
  output.line(`${cell("LETTER", 14)} ${cell("DEAD-LETTERED AT", 24)} ${cell("REASON", 26)} ${cell("TENANT", 16)} ${cell("DOCUMENT", 28)} REPLAYED`);
  for (const l of shown) {
    const note = l.replayOf ? `  (itself a replay of ${l.replayOf})` : "";
    output.line(
      `${cell(`${l.partition}:${l.offset}`, 14)} ${cell(new Date(l.atMs).toISOString(), 24)} ${cell(l.reason, 26)} ${cell(l.tenantId, 16)} ${cell(l.documentId, 28)} ${stateOf(l)}${note}`,
    );
  }
  if (shown.length < matched) output.line(`(${shown.length} of ${matched} shown; --limit N for more)`);
}
