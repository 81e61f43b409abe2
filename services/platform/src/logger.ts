import { trace } from "@opentelemetry/api";
import { pino, type Logger, type LevelWithSilent } from "pino";

export type { Logger } from "pino";

export interface LoggerOptions {
  service: string;
  level?: LevelWithSilent;
  /** Where JSON lines go; standard output by default. */
  destination?: NodeJS.WritableStream;
}

/**
 * Keys that must never reach a log line even if a caller passes them by mistake:
 * document text and full account numbers are customer data.
 */
const REDACTED_PATHS = [
  "text",
  "*.text",
  "documentText",
  "*.documentText",
  "rawOutput",
  "*.rawOutput",
  "accountNumber",
  "*.accountNumber",
  "password",
  "*.password",
];

/**
 * Fields of a database error that quote the data: PostgreSQL's DETAIL of a CHECK or unique
 * violation repeats the row ("Failing row contains (…, 1234, 250000.10, …)"), WHERE and the
 * internal query may hold values too. The SQLSTATE (`code`), constraint, table and column stay.
 */
const DATA_BEARING_ERROR_FIELDS = ["detail", "where", "internalQuery", "parameters"];

function withoutData(serialized: Record<string, unknown>): Record<string, unknown> {
  for (const field of DATA_BEARING_ERROR_FIELDS) delete serialized[field];
  if (serialized.cause && typeof serialized.cause === "object") withoutData(serialized.cause as Record<string, unknown>);
  return serialized;
}

/** An error as pino writes it, less what would put customer data in the log. */
function errorSerializer(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  return withoutData(pino.stdSerializers.errWithCause(error) as unknown as Record<string, unknown>);
}

/** Structured JSON logs that carry the active trace and span ids. */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      name: options.service,
      level: options.level ?? "info",
      base: { service: options.service },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
      serializers: { err: errorSerializer, error: errorSerializer },
      formatters: { level: (label) => ({ level: label }) },
      mixin() {
        const span = trace.getActiveSpan();
        if (!span) return {};
        const { traceId, spanId } = span.spanContext();
        return { trace_id: traceId, span_id: spanId };
      },
    },
    options.destination ?? process.stdout,
  );
}
