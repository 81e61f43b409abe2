import type { MessageProducer } from "../core/messaging.ts";
import { DeadLetterCliError } from "./errors.ts";
import type { TopicReader } from "./kafka-reader.ts";
import type { ReplayLedger, ReplayRecord } from "./ledger.ts";
import { readLetter, replayMessage } from "./letters.ts";
import type { DeadLetterView, LetterCoordinates, LetterFilter } from "./letters.ts";
import type { Output } from "./output.ts";
import { scanLetters } from "./scan.ts";

export interface ReplayDeps {
  readonly reader: TopicReader;
  readonly ledger: ReplayLedger;
  readonly producer: MessageProducer;
  readonly dlqTopic: string;
  readonly documentsTopic: string;
  readonly output: Output;
}

/** Which letters: named ones, or every one that matches a filter. */
export type ReplaySelection =
  | { readonly case: "letters"; readonly letters: readonly LetterCoordinates[] }
  | { readonly case: "filter"; readonly filter: LetterFilter };

export interface ReplayOptions {
  readonly dryRun: boolean;
  readonly force: boolean;
  /** Why, for the ledger (the ticket, the fix). */
  readonly note?: string;
}

export interface ReplaySummary {
  replayed: number;
  /** Replayed before and not forced, or from another topic than the documents topic. */
  refused: number;
  /** Dry run: what a real run would replay. */
  wouldReplay: number;
}

const PROGRESS_EVERY = 100;

function describe(letter: DeadLetterView): string {
  return `${letter.partition}:${letter.offset} (${letter.reason}, tenant ${letter.document?.tenantId || "-"}, document ${letter.document?.documentId || "-"})`;
}

function earlierReplay(r: ReplayRecord): string {
  return `#${r.id} by ${r.replayedBy} at ${r.claimedAt.toISOString()}${r.publishedAt ? "" : ", publish NOT confirmed"}`;
}

async function* selected(deps: ReplayDeps, selection: ReplaySelection): AsyncIterable<DeadLetterView> {
  if (selection.case === "filter") {
    yield* scanLetters(deps.reader, deps.dlqTopic, selection.filter, deps.output);
    return;
  }
  // Every named letter is read before anything is published: a typo in the last one fails the
  // run before the first one went out.
  const letters: DeadLetterView[] = [];
  for (const at of selection.letters) letters.push(readLetter(await deps.reader.readOne(deps.dlqTopic, at.partition, BigInt(at.offset))));
  yield* letters;
}

/**
 * `replay`: publishes each selected letter's original event (key, bytes, headers as sent) to the
 * documents topic with the replay marker, one at a time: claim in the ledger, send, confirm. A
 * letter claimed before is refused unless --force, which replays it again, warns, and records the
 * replay as forced. A send that fails stops the run (Kafka is likely away); that letter's claim
 * stays unconfirmed, because the event may have been written although the send failed.
 */
export async function replayLetters(deps: ReplayDeps, selection: ReplaySelection, options: ReplayOptions): Promise<ReplaySummary> {
  const { output, ledger } = deps;
  // The documents topic must exist before the first claim (a claim for a send that cannot happen
  // would block that letter later); the dead-letter topic is checked by reading it, also first.
  await deps.reader.ranges(deps.documentsTopic);
  if (!options.dryRun) await ledger.check();
  if (options.force) {
    output.warn(
      "--force: letters replayed before are replayed AGAIN. The worker skips a document it has recorded, but one that failed again is dead-lettered again.",
    );
  }
  const summary: ReplaySummary = { replayed: 0, refused: 0, wouldReplay: 0 };
  let seen = 0;
  for await (const letter of selected(deps, selection)) {
    seen++;
    if (letter.original.topic !== deps.documentsTopic) {
      output.line(`refused ${describe(letter)}: it came from ${letter.original.topic}, not ${deps.documentsTopic}`);
      summary.refused++;
      continue;
    }
    if (options.dryRun) {
      const earlier = await ledger.replaysOf(deps.dlqTopic, [letter]).catch((error: unknown) => {
        output.warn(`replay ledger not readable: ${error instanceof Error ? error.message : String(error)}`);
        return [];
      });
      const blocking = earlier.find((r) => !r.forced);
      if (blocking && !options.force) {
        output.line(`would refuse ${describe(letter)}: replayed before (${earlierReplay(blocking)})`);
        summary.refused++;
      } else {
        output.line(`would replay ${describe(letter)}${blocking ? ` AGAIN (--force; before: ${earlierReplay(blocking)})` : ""}`);
        summary.wouldReplay++;
      }
      continue;
    }
    let claim = await ledger.claim(deps.dlqTopic, letter, deps.documentsTopic, { forced: false, note: options.note });
    if (claim.case === "already_replayed") {
      if (!options.force) {
        output.line(`refused ${describe(letter)}: replayed before (${earlierReplay(claim.earlier)}); --force to replay it again`);
        summary.refused++;
        continue;
      }
      output.warn(`${letter.partition}:${letter.offset} was replayed before (${earlierReplay(claim.earlier)}); replaying it again because of --force`);
      claim = await ledger.claim(deps.dlqTopic, letter, deps.documentsTopic, { forced: true, note: options.note });
    }
    if (claim.case !== "claimed") throw new Error("a forced claim always inserts");
    try {
      await deps.producer.send(deps.documentsTopic, [replayMessage(letter, { dlqTopic: deps.dlqTopic, replayId: claim.id, replayedAtMs: Date.now() })]);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await ledger.markFailed(claim.id, message).catch(() => {});
      throw new DeadLetterCliError(
        "send_failed",
        `publishing ${letter.partition}:${letter.offset} failed (${message}); ${summary.replayed} replayed before it. ` +
          `It may or may not have been written: look for x-replay-id ${claim.id} on ${deps.documentsTopic} before replaying it with --force.`,
        { cause: error },
      );
    }
    await ledger.markPublished(claim.id).catch((error: unknown) => {
      throw new DeadLetterCliError(
        "database_unavailable",
        `${letter.partition}:${letter.offset} was published as replay #${claim.id}, but the ledger could not confirm it: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    });
    output.line(`replayed ${describe(letter)} as replay #${claim.id}`);
    summary.replayed++;
    if (summary.replayed % PROGRESS_EVERY === 0) output.progress(`replayed ${summary.replayed} of ${seen} so far`);
  }
  const counts = options.dryRun
    ? `would replay ${summary.wouldReplay}, would refuse ${summary.refused}`
    : `replayed ${summary.replayed}, refused ${summary.refused}`;
  output.line(`${options.dryRun ? "dry run, nothing published: " : ""}${counts} of ${seen} selected letter(s)`);
  return summary;
}
