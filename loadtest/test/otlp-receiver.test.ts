import assert from "node:assert/strict";
import { test } from "node:test";
import { metrics } from "@opentelemetry/api";
import { startTelemetry } from "@liability/platform";
import { OtlpMetricsReceiver } from "../src/otlp-receiver.ts";

test("reads gauges that a service exports through the platform's OTLP set-up", async () => {
  const receiver = new OtlpMetricsReceiver();
  const endpoint = await receiver.start();
  const telemetry = startTelemetry({
    serviceName: "otlp-receiver-test",
    config: { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_METRIC_EXPORT_INTERVAL_MS: 200 },
  });
  try {
    const meter = metrics.getMeter("test");
    meter.createObservableGauge("inference.queue.depth").addCallback((r) => r.observe(7));
    meter.createCounter("requests").add(3);
    const deadline = Date.now() + 5000;
    while (receiver.latest.get("inference.queue.depth") === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.equal(receiver.latest.get("inference.queue.depth"), 7);
    assert.equal(receiver.latest.get("requests"), 3);
  } finally {
    await telemetry.shutdown();
    await receiver.stop();
  }
});
