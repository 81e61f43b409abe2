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

/** Structured JSON logs that carry the active trace and span ids. */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      name: options.service,
      level: options.level ?? "info",
      base: { service: options.service },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
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
