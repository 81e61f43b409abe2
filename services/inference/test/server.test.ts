// The gRPC layer without a model: TCP listening, health before load, and the Extract paths
// that do not reach an engine (or reach a test double that fails in known ways).
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import assert from "node:assert/strict";
import { after, test } from "node:test";
import * as grpc from "@grpc/grpc-js";
import { DocumentKind, InferenceService, recordFromProto } from "@liability/contracts";
import { canonicalRecordJson } from "@liability/domain";
import { createHealthClient, createLogger, createServiceClient } from "@liability/platform";
import { InvalidDocumentError, type EngineStats, type ExtractInput, type ExtractionEngine, type ExtractOutput } from "../src/engine.ts";
import { OverloadedError } from "../src/scheduler.ts";
import { GRPC_PUSHBACK_METADATA, InferenceServer, MAX_BATCH_DOCUMENTS, RETRY_AFTER_METADATA } from "../src/server.ts";

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
  const health = createHealthClient(address, grpc.credentials.createInsecure());
  const status = () => health.check("", 5_000).catch((e: grpc.ServiceError) => `error ${e.code}`);
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
        e.code === grpc.status.RESOURCE_EXHAUSTED && e.metadata.get(RETRY_AFTER_METADATA)[0] === "1234" && e.metadata.get(GRPC_PUSHBACK_METADATA)[0] === "1234",
    );
  } finally {
    extract.channel.close();
    health.close();
  }
});

/** Test double: answers by document id — "shed…" is shed, "bad…" is invalid, "slow…" waits for its signal, the rest succeed. */
class ScriptedEngineTestDouble implements ExtractionEngine {
  readonly info = { modelId: "double", modelVersion: "sha256-0000000000000000", promptVersion: "v0" };
  onStep?: (active: number) => void;
  async extract(input: ExtractInput, { signal }: { signal: AbortSignal }): Promise<ExtractOutput> {
    if (input.documentId.startsWith("shed")) throw new OverloadedError(250, 5);
    if (input.documentId.startsWith("bad")) throw new InvalidDocumentError("text is empty");
    if (input.documentId.startsWith("slow")) {
      await new Promise<never>((_resolve, reject) => signal.addEventListener("abort", () => reject(signal.reason), { once: true }));
    }
    const record = { ...RECORD, lender_name: `Lender of ${input.documentId}` };
    return {
      rawOutput: canonicalRecordJson(record),
      record,
      recordError: undefined,
      model: this.info,
      promptTokens: 10,
      cachedPromptTokens: 0,
      completionTokens: 5,
      sampledTokens: 4,
      timings: { queueMs: 0, groundingMs: 0, promptMs: 1, generationMs: 1, totalMs: 2 },
      confidence: { available: false, fields: {}, note: "double" },
      truncated: false,
    };
  }
  stats(): EngineStats {
    return { sequences: 1, activeSequences: 0, queued: 0, maxQueue: 5 };
  }
  startDrain(): void {}
  async idle(): Promise<void> {}
  async close(): Promise<void> {}
}

const RECORD = {
  liability_type: "credit_card" as const,
  lender_name: "x",
  account_last4: "0931",
  current_balance: 1538.9,
  payoff_amount: null,
  payoff_good_through: null,
  escrow_balance: null,
  interest_rate: 22.49,
  monthly_payment: 46,
  next_due_date: "2026-04-12",
  as_of_date: "2026-03-18",
};

test("ExtractBatch answers every document on its own, in order: one failure never fails the others", async () => {
  const batchServer = new InferenceServer({
    address: "127.0.0.1:0",
    logger: createLogger({ service: "inference-test", level: "silent" }),
    drainTimeoutMs: 1000,
  });
  const address = await batchServer.listen();
  batchServer.setEngine(new ScriptedEngineTestDouble());
  const client = createServiceClient(InferenceService, address, grpc.credentials.createInsecure());
  try {
    const ids = ["a", "shed-1", "b", "bad-1", "c"];
    const documents = ids.map((documentId) => ({ documentId, kind: DocumentKind.STATEMENT, text: "Balance $1.00" }));
    documents.push({ documentId: "no-kind", kind: DocumentKind.UNSPECIFIED, text: "x" });
    const { results } = await client.extractBatch({ documents }, { deadline: new Date(Date.now() + 5000) });
    assert.deepEqual(
      results.map((r) => r.documentId),
      [...ids, "no-kind"],
    );
    const byId = new Map(results.map((r) => [r.documentId, r.outcome]));
    for (const id of ["a", "b", "c"]) {
      const outcome = byId.get(id)!;
      assert.equal(outcome.case, "response");
      assert.equal(outcome.case === "response" && recordFromProto(outcome.value.record!).lender_name, `Lender of ${id}`);
    }
    const failure = (id: string) => {
      const o = byId.get(id)!;
      assert.equal(o.case, "failure", id);
      return o.case === "failure" ? o.value : assert.fail();
    };
    assert.deepEqual([failure("shed-1").code, failure("shed-1").retryAfterMs], [grpc.status.RESOURCE_EXHAUSTED, 250]);
    assert.equal(failure("bad-1").code, grpc.status.INVALID_ARGUMENT);
    assert.equal(failure("no-kind").code, grpc.status.INVALID_ARGUMENT);
  } finally {
    client.channel.close();
    await batchServer.drain();
  }
});

test("ExtractBatch: the call's deadline ends the documents still running, and oversized batches are refused", async () => {
  const batchServer = new InferenceServer({
    address: "127.0.0.1:0",
    logger: createLogger({ service: "inference-test", level: "silent" }),
    drainTimeoutMs: 1000,
  });
  const address = await batchServer.listen();
  batchServer.setEngine(new ScriptedEngineTestDouble());
  const client = createServiceClient(InferenceService, address, grpc.credentials.createInsecure());
  try {
    await assert.rejects(
      client.extractBatch({
        documents: Array.from({ length: MAX_BATCH_DOCUMENTS + 1 }, (_, i) => ({ documentId: `d${i}`, kind: DocumentKind.STATEMENT, text: "x" })),
      }),
      (e: grpc.ServiceError) => e.code === grpc.status.INVALID_ARGUMENT,
    );
    // The client gives up at its deadline; the sidecar stops the slow document then too.
    await assert.rejects(
      client.extractBatch(
        {
          documents: [
            { documentId: "fast", kind: DocumentKind.STATEMENT, text: "x" },
            { documentId: "slow", kind: DocumentKind.STATEMENT, text: "x" },
          ],
        },
        { deadline: new Date(Date.now() + 300) },
      ),
      (e: grpc.ServiceError) => e.code === grpc.status.DEADLINE_EXCEEDED,
    );
  } finally {
    client.channel.close();
    await batchServer.drain();
  }
});

test("a Unix socket is the user's alone: its new directory 0700, the socket 0600", async () => {
  const root = mkdtempSync(join(tmpdir(), "lre-socket-"));
  const socketServer = new InferenceServer({
    address: `unix:${join(root, "private", "inference.sock")}`,
    logger: createLogger({ service: "inference-test", level: "silent" }),
    drainTimeoutMs: 1000,
  });
  try {
    await socketServer.listen();
    assert.equal(statSync(join(root, "private")).mode & 0o777, 0o700);
    assert.equal(statSync(join(root, "private", "inference.sock")).mode & 0o777, 0o600);
  } finally {
    await socketServer.drain();
    rmSync(root, { recursive: true, force: true });
  }
});
