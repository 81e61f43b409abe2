import type { TopicReader } from "./kafka-reader.ts";
import { matches, readLetter } from "./letters.ts";
import type { DeadLetterView, LetterFilter } from "./letters.ts";
import type { Output } from "./output.ts";

/** How often a long read reports how far it got. */
const PROGRESS_INTERVAL_MS = 2_000;

/**
 * Every letter of the dead-letter topic that matches, partition by partition in offset order,
 * up to the high watermarks seen when the scan began (letters arriving meanwhile wait for the
 * next run). With `sinceMs`, each partition starts at the first offset of that time, so that a
 * night's letters do not cost a read of the whole topic. A message that is not a dead letter is
 * skipped with a warning: one bad message must not hide the others.
 */
export async function* scanLetters(reader: TopicReader, topic: string, filter: LetterFilter, output: Output): AsyncIterable<DeadLetterView> {
  const ranges = await reader.ranges(topic);
  const starts = filter.sinceMs === undefined ? undefined : await reader.offsetsAt(topic, filter.sinceMs);
  const total = ranges.reduce((sum, r) => sum + Number(r.end - (starts?.get(r.partition) ?? r.start)), 0);
  output.progress(`reading ${topic}: ${ranges.length} partition(s), ${total} message(s)`);
  let read = 0;
  let lastReport = Date.now();
  for (const range of ranges) {
    const from = starts?.get(range.partition) ?? range.start;
    for await (const message of reader.read(topic, range.partition, from, range.end)) {
      read++;
      if (Date.now() - lastReport >= PROGRESS_INTERVAL_MS) {
        output.progress(`read ${read}/${total}`);
        lastReport = Date.now();
      }
      let letter: DeadLetterView;
      try {
        letter = readLetter(message);
      } catch (error) {
        output.warn(`skipping ${message.partition}:${message.offset}: ${error instanceof Error ? error.message : String(error)}`);
        continue;
      }
      if (matches(letter, filter)) yield letter;
    }
  }
}
