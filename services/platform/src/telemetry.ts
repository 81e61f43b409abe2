import { metrics } from "@opentelemetry/api";
import { OTLPMetricExporter } from "@opentelemetry/exporter-metrics-otlp-proto";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { PrometheusExporter } from "@opentelemetry/exporter-prometheus";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { MeterProvider, PeriodicExportingMetricReader, type MetricReader } from "@opentelemetry/sdk-metrics";
import { BatchSpanProcessor, type SpanProcessor } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from "@opentelemetry/semantic-conventions";
import { z } from "zod";

export const telemetryConfigSchema = z.object({
  /** Base OTLP/HTTP endpoint, e.g. http://collector:4318. Unset: spans and metrics stay in-process. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
  OTEL_METRIC_EXPORT_INTERVAL_MS: z.coerce.number().int().positive().default(15_000),
  /**
   * Port of the operations endpoint (/metrics for Prometheus, /livez, /readyz). Unset: none is
   * opened (local runs); 0: any free port (tests).
   */
  METRICS_PORT: z.coerce.number().int().min(0).max(65_535).optional(),
  /** Address it binds (default 127.0.0.1); 0.0.0.0 in a pod, so that the kubelet and Prometheus reach it. */
  METRICS_HOST: z.string().min(1).optional(),
});

export type TelemetryConfig = z.infer<typeof telemetryConfigSchema>;

export interface TelemetryOptions {
  serviceName: string;
  serviceVersion?: string;
  config: TelemetryConfig;
  /** Extra span processors, e.g. a test's in-memory exporter. */
  spanProcessors?: SpanProcessor[];
  /** Extra metric readers, e.g. a test's in-memory reader. */
  metricReaders?: MetricReader[];
}

export interface Telemetry {
  /** The Prometheus reader, when METRICS_PORT asks for an endpoint (startOpsServer serves it). */
  readonly prometheus: PrometheusExporter | undefined;
  shutdown(): Promise<void>;
}

/**
 * One OpenTelemetry set-up for every service: W3C trace context propagation and
 * async-context tracking, traces and metrics exported over OTLP/HTTP when an endpoint
 * is configured. Without an endpoint spans are still recorded, so trace ids reach logs,
 * Kafka headers and database rows.
 */
export function startTelemetry(options: TelemetryOptions): Telemetry {
  const endpoint = options.config.OTEL_EXPORTER_OTLP_ENDPOINT?.replace(/\/$/, "");
  const resource = resourceFromAttributes({
    [ATTR_SERVICE_NAME]: options.serviceName,
    [ATTR_SERVICE_VERSION]: options.serviceVersion ?? "0.0.0",
  });

  const spanProcessors = [...(options.spanProcessors ?? [])];
  if (endpoint) {
    spanProcessors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url: `${endpoint}/v1/traces` })));
  }
  const tracerProvider = new NodeTracerProvider({ resource, spanProcessors });
  tracerProvider.register();

  const readers = [...(options.metricReaders ?? [])];
  if (endpoint) {
    readers.push(
      new PeriodicExportingMetricReader({
        exporter: new OTLPMetricExporter({ url: `${endpoint}/v1/metrics` }),
        exportIntervalMillis: options.config.OTEL_METRIC_EXPORT_INTERVAL_MS,
      }),
    );
  }
  // Pulled by Prometheus next to OTLP's push: the two readers see the same instruments.
  const prometheus = options.config.METRICS_PORT === undefined ? undefined : new PrometheusExporter({ preventServerStart: true });
  if (prometheus) readers.push(prometheus);
  const meterProvider = new MeterProvider({ resource, readers });
  metrics.setGlobalMeterProvider(meterProvider);

  return {
    prometheus,
    async shutdown() {
      await Promise.allSettled([tracerProvider.shutdown(), meterProvider.shutdown()]);
      metrics.disable();
    },
  };
}
