// `npm run dead-letters -- <command>`: list, inspect and replay the worker's dead letters.
// Configuration from the environment (config.ts); usage below; exit statuses in errors.ts.
import { parseArgs } from "node:util";
import { ConfigError, createLogger, kafkaConnectionOptions, postgresPoolConfig } from "@liability/platform";
import type { MessageProducer } from "../core/messaging.ts";
import { createKafka, KafkajsProducer } from "../kafkajs-adapter.ts";
import { PlatformaticProducer } from "../platformatic-adapter.ts";
import { loadDeadLetterCliConfig } from "./config.ts";
import type { DeadLetterCliConfig } from "./config.ts";
import { DeadLetterCliError, EXIT_STATUS } from "./errors.ts";
import { PlatformaticTopicReader } from "./kafka-reader.ts";
import { ReplayLedger } from "./ledger.ts";
import { parseCoordinates, parseReason, parseSince } from "./letters.ts";
import { listLetters } from "./list.ts";
import { processOutput } from "./output.ts";
import type { Output } from "./output.ts";
import { replayLetters } from "./replay.ts";
import { showLetter } from "./show.ts";

const USAGE = `usage: dead-letters <command> [options]

  list   [--reason CODE] [--since ISO] [--limit N] [--json]
         counts per reason and one line per letter; never document text
  show   <partition:offset> [--show-text]
         reason, error detail, original headers, sizes, earlier replays;
         --show-text prints the document text (customer data: handle with care)
  replay <partition:offset>... | --reason CODE [--since ISO]   [--dry-run] [--force] [--note TEXT]
         publishes the original events to the documents topic again, with x-replay-of;
         a letter replayed before is refused unless --force

environment: KAFKA_BROKERS, KAFKA_TOPIC_DLQ, KAFKA_TOPIC_DOCUMENTS, DATABASE_URL (a login in
lre_replayer), DATABASE_SCHEMA, and the platform's TLS/SASL variables (services/worker/README.md)`;

const OPTIONS = {
  reason: { type: "string" },
  since: { type: "string" },
  limit: { type: "string" },
  json: { type: "boolean", default: false },
  "show-text": { type: "boolean", default: false },
  "dry-run": { type: "boolean", default: false },
  force: { type: "boolean", default: false },
  note: { type: "string" },
  help: { type: "boolean", short: "h", default: false },
} as const;

type Parsed = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;

function parseLimit(input: string | undefined): number {
  if (input === undefined) return 1_000;
  const n = Number(input);
  if (!Number.isInteger(n) || n < 0) throw new DeadLetterCliError("usage", `--limit expects a whole number, got ${JSON.stringify(input)}`);
  return n;
}

function producerFor(config: DeadLetterCliConfig): MessageProducer {
  const connection = kafkaConnectionOptions(config);
  if (config.KAFKA_CLIENT === "platformatic") return new PlatformaticProducer(connection);
  return new KafkajsProducer(createKafka(connection, createLogger({ service: "lre-dead-letters", level: "warn", destination: process.stderr })));
}

async function run(command: string, parsed: Parsed, config: DeadLetterCliConfig, output: Output): Promise<number> {
  const { values, positionals } = parsed;
  const reader = new PlatformaticTopicReader(kafkaConnectionOptions(config));
  const ledger = new ReplayLedger(postgresPoolConfig(config, "lre-dead-letters"), config.DATABASE_SCHEMA);
  const dlqTopic = config.KAFKA_TOPIC_DLQ;
  try {
    if (command === "list") {
      const sinceMs = values.since === undefined ? undefined : parseSince(values.since);
      const reason = values.reason === undefined ? undefined : parseReason(values.reason);
      await listLetters({ reader, ledger, dlqTopic, output }, { reason, sinceMs, limit: parseLimit(values.limit), json: values.json });
      return 0;
    }
    if (command === "show") {
      if (positionals.length !== 1) throw new DeadLetterCliError("usage", "show takes one partition:offset");
      await showLetter({ reader, ledger, dlqTopic, output }, parseCoordinates(positionals[0]!), { showText: values["show-text"] });
      return 0;
    }
    const letters = positionals.map(parseCoordinates);
    if (letters.length > 0 === (values.reason !== undefined)) {
      throw new DeadLetterCliError("usage", "replay takes either partition:offset coordinates or --reason CODE (with an optional --since), not both");
    }
    if (values.since !== undefined && values.reason === undefined) throw new DeadLetterCliError("usage", "--since goes with --reason");
    const producer = producerFor(config);
    try {
      await producer.connect().catch((error: unknown) => {
        throw new DeadLetterCliError("kafka_unavailable", `Kafka did not answer: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      });
      const summary = await replayLetters(
        { reader, ledger, producer, dlqTopic, documentsTopic: config.KAFKA_TOPIC_DOCUMENTS, output },
        letters.length > 0
          ? { case: "letters", letters }
          : { case: "filter", filter: { reason: parseReason(values.reason!), sinceMs: values.since === undefined ? undefined : parseSince(values.since) } },
        { dryRun: values["dry-run"], force: values.force, note: values.note },
      );
      return summary.refused > 0 ? EXIT_STATUS.refused : 0;
    } finally {
      await producer.disconnect().catch(() => {});
    }
  } finally {
    await Promise.all([reader.close(), ledger.close()]);
  }
}

/** The CLI as a function of its arguments and environment; returns the exit status. */
export async function runDeadLetterCli(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  output: Output = processOutput,
): Promise<number> {
  try {
    const parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
    const [command, ...rest] = parsed.positionals;
    if (parsed.values.help || command === undefined) {
      output.line(USAGE);
      return parsed.values.help ? 0 : 2;
    }
    if (!["list", "show", "replay"].includes(command)) throw new DeadLetterCliError("usage", `unknown command ${JSON.stringify(command)}\n${USAGE}`);
    const config = loadDeadLetterCliConfig(env);
    return await run(command, { ...parsed, positionals: rest }, config, output);
  } catch (error) {
    if (error instanceof DeadLetterCliError) {
      output.warn(error.message);
      return error.exitStatus;
    }
    if (error instanceof ConfigError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      output.warn(error instanceof Error ? error.message : String(error));
      return 2;
    }
    throw error;
  }
}

if (import.meta.main) {
  process.exitCode = await runDeadLetterCli(process.argv.slice(2), process.env);
}
