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
