// The gRPC layer without a model: TCP listening, health before load, and the Extract paths
// that do not reach an engine (or reach a test double that fails in known ways).
import assert from "node:assert/strict";
import { after, test } from "node:test";
import * as grpc from "@grpc/grpc-js";
import { DocumentKind, InferenceService } from "@liability/contracts";
import { createLogger, createServiceClient } from "@liability/platform";
import { service as healthService } from "grpc-health-check";
import type { EngineStats, ExtractionEngine } from "../src/engine.ts";
import { OverloadedError } from "../src/scheduler.ts";
import { GRPC_PUSHBACK_METADATA, InferenceServer, RETRY_AFTER_METADATA } from "../src/server.ts";

/** Test double: an engine whose every extract is shed. */
class SheddingEngineTestDouble implements ExtractionEngine {
  readonly info = { modelId: "double", modelVersion: "sha256-0000000000000000", promptVersion: "v0" };
  onStep?: (active: number) => void;
  async extract(): Promise<never> {
    throw new OverloadedError(1234, 5);
  }
  stats(): EngineStats {
    return { sequences: 1, activeSequences: 1, queued: 5, maxQueue: 5 };
  }
  startDrain(): void {}
  async idle(): Promise<void> {}
  async close(): Promise<void> {}
}

const server = new InferenceServer({
  address: "127.0.0.1:0",
  logger: createLogger({ service: "inference-test", level: "silent" }),
  drainTimeoutMs: 1000,
});

after(async () => {
  await server.drain();
});

test("listens on TCP (host:0 gets a port), NOT_SERVING and UNAVAILABLE before an engine is set", async () => {
  const address = await server.listen();
  assert.match(address, /^127\.0\.0\.1:\d+$/);
  assert.notEqual(address, "127.0.0.1:0");
  const HealthClient = grpc.makeGenericClientConstructor(healthService as grpc.ServiceDefinition, "grpc.health.v1.Health");
  const health = new HealthClient(address, grpc.credentials.createInsecure()) as unknown as grpc.Client & {
    check(req: { service: string }, cb: (e: grpc.ServiceError | null, r: { status: string }) => void): void;
  };
  const status = () => new Promise<string>((resolve) => health.check({ service: "" }, (e, r) => resolve(e ? `error ${e.code}` : r.status)));
  const extract = createServiceClient(InferenceService, address, grpc.credentials.createInsecure());
  try {
    assert.equal(await status(), "NOT_SERVING");
    await assert.rejects(
      extract.extract({ documentId: "d", kind: DocumentKind.STATEMENT, text: "x" }),
      (e: grpc.ServiceError) => e.code === grpc.status.UNAVAILABLE,
    );

    server.setEngine(new SheddingEngineTestDouble());
    assert.equal(await status(), "SERVING");
    await assert.rejects(
      extract.extract({ documentId: "d", kind: DocumentKind.STATEMENT, text: "x" }),
      (e: grpc.ServiceError) =>
        e.code === grpc.status.RESOURCE_EXHAUSTED &&
        e.metadata.get(RETRY_AFTER_METADATA)[0] === "1234" &&
        e.metadata.get(GRPC_PUSHBACK_METADATA)[0] === "1234",
    );
  } finally {
    extract.channel.close();
    health.close();
  }
});
