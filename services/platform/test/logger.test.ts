import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { test } from "node:test";
import { trace } from "@opentelemetry/api";
import { createLogger } from "../src/logger.ts";
import { startTelemetry } from "../src/telemetry.ts";

function capture(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return {
    stream,
    lines: () =>
      chunks
        .join("")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l)),
  };
}

test("log lines carry the active trace id and never document text", async () => {
  const telemetry = startTelemetry({ serviceName: "test", config: { OTEL_METRIC_EXPORT_INTERVAL_MS: 60_000 } });
  const out = capture();
  const log = createLogger({ service: "test", destination: out.stream });
  let traceId = "";
  trace.getTracer("test").startActiveSpan("work", (span) => {
    traceId = span.spanContext().traceId;
    log.info({ documentId: "d1", text: "Loan 1234567890", event: { text: "more" } }, "processed");
    span.end();
  });
  await telemetry.shutdown();
  const [line] = out.lines();
  assert.equal(line?.trace_id, traceId);
  assert.match(traceId, /^[0-9a-f]{32}$/);
  assert.notEqual(traceId, "0".repeat(32));
  assert.equal(line?.text, "[redacted]");
  assert.deepEqual(line?.event, { text: "[redacted]" });
  assert.equal(line?.documentId, "d1");
});

test("a database error is logged with its SQLSTATE and constraint, never the row it quotes", () => {
  const out = capture();
  const log = createLogger({ service: "test", destination: out.stream });
  // What node-postgres throws for a CHECK violation: DETAIL repeats the failing row.
  const error = Object.assign(new Error('new row for relation "liability_records" violates check constraint "liability_records_interest_rate_check"'), {
    code: "23514",
    constraint: "liability_records_interest_rate_check",
    table: "liability_records",
    detail: "Failing row contains (doc-1, tenant-a, accepted, mortgage, First Bank, 1234, 250000.10, 100.000).",
    where: "SQL function writing row 1234",
  });
  log.warn({ err: new Error("database write failed", { cause: error }) }, "pausing");
  const [line] = out.lines();
  const written = JSON.stringify(line);
  assert.doesNotMatch(written, /Failing row|250000\.10|writing row/);
  assert.match(written, /23514/);
  assert.match(written, /liability_records_interest_rate_check/);
});
