import type { TopicReader } from "./kafka-reader.ts";
import type { ReplayLedger } from "./ledger.ts";
import { decodeOriginalEvent, readLetter } from "./letters.ts";
import type { DeadLetterView, LetterCoordinates } from "./letters.ts";
import { printableHeader } from "./output.ts";
import type { Output } from "./output.ts";

export interface ShowDeps {
  readonly reader: TopicReader;
  readonly ledger: ReplayLedger;
  readonly dlqTopic: string;
  readonly output: Output;
}

const time = (ms: number | null) => (ms === null ? "-" : new Date(ms).toISOString());

/** The document text, only for --show-text; undefined when the event does not decode to text. */
function documentText(letter: DeadLetterView): string | undefined {
  const event = decodeOriginalEvent(letter.original.value, letter.original.headers);
  return event?.content.case === "text" ? Buffer.from(event.content.value).toString("utf8") : undefined;
}

/**
 * `show`: everything about one letter an operator needs to decide on a replay (reason, error
 * detail, where it came from, headers, sizes, earlier replays), and the document text only when
 * asked for, with a warning: it is customer data (balances, account numbers).
 */
export async function showLetter(deps: ShowDeps, at: LetterCoordinates, options: { showText: boolean }): Promise<void> {
  const { output } = deps;
  const letter = readLetter(await deps.reader.readOne(deps.dlqTopic, at.partition, BigInt(at.offset)));
  const doc = letter.document;
  output.line(`dead letter ${deps.dlqTopic} ${letter.partition}:${letter.offset}`);
  output.line(`  reason          ${letter.reason}`);
  output.line(`  detail          ${letter.detail || "-"}`);
  output.line(`  attempts        ${letter.attempts}`);
  output.line(`  first failure   ${time(letter.firstFailureMs)}`);
  output.line(`  dead-lettered   ${time(letter.atMs)}`);
  output.line(`  original        ${letter.original.topic} ${letter.original.partition}:${letter.original.offset}`);
  output.line(
    `  document        ${doc ? `${doc.documentId || "-"} (tenant ${doc.tenantId || "-"}, source ${doc.sourceSystem || "-"})` : "not decodable as DocumentReceived"}`,
  );
  output.line(`  key             ${letter.original.key ? printableHeader(letter.original.key) : "(none)"}`);
  output.line(`  sizes           event ${letter.original.value.length} bytes, text ${doc?.textBytes ?? "-"} bytes`);
  if (letter.replayOf) output.line(`  replay of       ${letter.replayOf} (this letter is a replayed event that failed again)`);
  output.line(`  original headers (${letter.original.headers.length}, as the producer sent them)`);
  for (const h of letter.original.headers) output.line(`    ${h.key}: ${printableHeader(h.value)}`);
  output.line(`  dead-letter headers`);
  for (const h of letter.letterHeaders) output.line(`    ${h.key}: ${printableHeader(h.value)}`);
  try {
    const replays = await deps.ledger.replaysOf(deps.dlqTopic, [letter]);
    output.line(`  replays         ${replays.length === 0 ? "none" : ""}`);
    for (const r of replays) {
      const state = r.publishedAt ? `published ${r.publishedAt.toISOString()}` : `NOT confirmed${r.lastError ? ` (${r.lastError})` : ""}`;
      output.line(`    #${r.id} by ${r.replayedBy} at ${r.claimedAt.toISOString()}${r.forced ? " (forced)" : ""}: ${state}`);
    }
  } catch (error) {
    output.warn(`replay ledger not readable: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (options.showText) {
    output.warn("the document text below is customer data (balances, account numbers): do not paste it into tickets, chat or logs");
    const text = documentText(letter);
    output.line(text === undefined ? "  text            (the event holds no decodable text)" : `--- text ---\n${text}\n--- end of text ---`);
  }
}
