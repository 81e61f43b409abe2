import assert from "node:assert/strict";
import { test } from "node:test";
import * as grpc from "@grpc/grpc-js";
import { create } from "@bufbuild/protobuf";
import { DocumentKind, ExtractBatchResponseSchema, ExtractResponseSchema } from "@liability/contracts";
import type { ExtractBatchResponse } from "@liability/contracts";
import { BatchCoalescer, type DocumentCallError, type BatchCall } from "../src/batch-coalescer.ts";

const doc = (documentId: string) => ({ documentId, kind: DocumentKind.STATEMENT, text: "Balance $1.00" });

/** Answers each document by its id: "shed…" RESOURCE_EXHAUSTED, "bad…" INVALID_ARGUMENT, others a response. */
function answer(ids: readonly string[]): ExtractBatchResponse {
  return create(ExtractBatchResponseSchema, {
    results: ids.map((documentId) => ({
      documentId,
      outcome: documentId.startsWith("shed")
        ? { case: "failure" as const, value: { code: grpc.status.RESOURCE_EXHAUSTED, message: "queue full", retryAfterMs: 300 } }
        : documentId.startsWith("bad")
          ? { case: "failure" as const, value: { code: grpc.status.INVALID_ARGUMENT, message: "empty", retryAfterMs: 0 } }
          : { case: "response" as const, value: create(ExtractResponseSchema, { rawOutput: `out-${documentId}` }) },
    })),
  });
}

function recorder(delayMs = 0): { call: BatchCall; batches: string[][]; signals: AbortSignal[] } {
  const batches: string[][] = [];
  const signals: AbortSignal[] = [];
  const call: BatchCall = async (request, options) => {
    const ids = request.documents.map((d) => d.documentId);
    batches.push(ids);
    signals.push(options.signal);
    if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
    return answer(ids);
  };
  return { call, batches, signals };
}

const opts = () => ({ metadata: new grpc.Metadata(), signal: new AbortController().signal });

test("calls started together share round trips of at most maxDocuments, each answered on its own", async () => {
  const r = recorder();
  const coalescer = new BatchCoalescer({ call: r.call, maxDocuments: 3, deadlineMs: 1000 });
  const ids = ["a", "b", "shed-1", "c", "bad-1", "d", "e"];
  const settled = await Promise.allSettled(ids.map((id) => coalescer.extract(doc(id), opts())));
  assert.deepEqual(r.batches, [["a", "b", "shed-1"], ["c", "bad-1", "d"], ["e"]]);
  const value = (i: number) => (settled[i] as PromiseFulfilledResult<{ rawOutput: string }>).value.rawOutput;
  assert.deepEqual([value(0), value(1), value(3), value(5), value(6)], ["out-a", "out-b", "out-c", "out-d", "out-e"]);
  const shed = (settled[2] as PromiseRejectedResult).reason as DocumentCallError;
  assert.equal(shed.code, grpc.status.RESOURCE_EXHAUSTED);
  assert.equal(shed.metadata.get("retry-after-ms")[0], "300");
  assert.equal(((settled[4] as PromiseRejectedResult).reason as DocumentCallError).code, grpc.status.INVALID_ARGUMENT);
});

test("calls in later turns of the event loop go in later round trips", async () => {
  const r = recorder();
  const coalescer = new BatchCoalescer({ call: r.call, maxDocuments: 10, deadlineMs: 1000 });
  await coalescer.extract(doc("a"), opts());
  await Promise.all([coalescer.extract(doc("b"), opts()), coalescer.extract(doc("c"), opts())]);
  assert.deepEqual(r.batches, [["a"], ["b", "c"]]);
});

test("a caller that gives up is answered at once; the round trip is cancelled only when all gave up", async () => {
  const r = recorder(100);
  const coalescer = new BatchCoalescer({ call: r.call, maxDocuments: 10, deadlineMs: 1000 });
  const a = new AbortController();
  const b = new AbortController();
  const pa = coalescer.extract(doc("a"), { metadata: new grpc.Metadata(), signal: a.signal });
  const pb = coalescer.extract(doc("b"), { metadata: new grpc.Metadata(), signal: b.signal });
  const pc = coalescer.extract(doc("c"), opts());
  await new Promise((resolve) => setImmediate(resolve));
  a.abort();
  b.abort();
  await assert.rejects(pa, (e: DocumentCallError) => e.code === grpc.status.CANCELLED);
  await assert.rejects(pb, (e: DocumentCallError) => e.code === grpc.status.CANCELLED);
  assert.equal(r.signals[0]!.aborted, false, "c is still waiting, so the call goes on");
  assert.equal((await pc).rawOutput, "out-c");

  const x = new AbortController();
  const px = coalescer.extract(doc("x"), { metadata: new grpc.Metadata(), signal: x.signal });
  await new Promise((resolve) => setImmediate(resolve));
  x.abort();
  await assert.rejects(px);
  assert.equal(r.signals[1]!.aborted, true, "nobody waits for the second round trip: it is cancelled");
});

test("a failed round trip fails each of its documents with the call's error", async () => {
  const down = Object.assign(new Error("connect failed"), { code: grpc.status.UNAVAILABLE });
  const coalescer = new BatchCoalescer({ call: async () => Promise.reject(down), maxDocuments: 10, deadlineMs: 1000 });
  const results = await Promise.allSettled([coalescer.extract(doc("a"), opts()), coalescer.extract(doc("b"), opts())]);
  for (const r of results) assert.equal((r as PromiseRejectedResult).reason, down);
});
