import { context, propagation, ROOT_CONTEXT, trace } from "@opentelemetry/api";
import type { Context, Span, TextMapGetter } from "@opentelemetry/api";
import type { Metadata } from "@grpc/grpc-js";
import { headerValue } from "./core/messaging.ts";
import type { Headers } from "./core/messaging.ts";

export const tracer = trace.getTracer("@liability/worker");

const kafkaHeaderGetter: TextMapGetter<Headers> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => headerValue(carrier, key)?.toString("latin1"),
};

/** The upstream producer's W3C trace context (traceparent, tracestate), from Kafka headers. */
export function contextFromKafkaHeaders(headers: Headers): Context {
  return propagation.extract(ROOT_CONTEXT, headers, kafkaHeaderGetter);
}

/** traceparent/tracestate for the given context, as header strings. */
export function traceHeaders(ctx: Context = context.active()): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  return carrier;
}

export function injectIntoMetadata(metadata: Metadata, ctx: Context = context.active()): Metadata {
  for (const [key, value] of Object.entries(traceHeaders(ctx))) metadata.set(key, value);
  return metadata;
}

/** The 32-hex trace id of a span, or null when tracing is off (an all-zero id). */
export function traceIdOf(span: Span): string | null {
  const { traceId } = span.spanContext();
  return /^0+$/.test(traceId) ? null : traceId;
}
