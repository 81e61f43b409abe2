import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import * as grpc from "@grpc/grpc-js";
import { DocumentKind, InferenceService, LiabilityType } from "@liability/contracts";
import { liabilityRecordSchema } from "@liability/domain";
import { createServiceClient, type ServiceClient } from "@liability/platform";
import { FakeInferenceSidecar, type RequestLogEntry } from "../src/fake-inference-sidecar.ts";
import { loadLabels } from "../src/labels.ts";

const documents = loadLabels(fileURLToPath(new URL("../../../../shared/spec/examples.jsonl", import.meta.url)));
let sidecar: FakeInferenceSidecar;
let client: ServiceClient<(typeof InferenceService)["method"]>;

before(async () => {
  sidecar = new FakeInferenceSidecar({ labels: documents, latency: "fixed:200", slots: 2, maxQueue: 2, confidence: 0.99 });
  const address = await sidecar.listen("127.0.0.1:0");
  client = createServiceClient(InferenceService, address, grpc.credentials.createInsecure());
});

after(async () => {
  client.channel.close();
  await sidecar.close();
});

test("answers with the label of a corpus document published under a fresh id", async () => {
  const doc = documents[0]!;
  const response = await client.extract({ documentId: "lt-run-1", kind: DocumentKind.STATEMENT, text: doc.text });
  assert.equal(response.model?.modelId, FakeInferenceSidecar.MODEL_ID);
  assert.deepEqual(liabilityRecordSchema.parse(JSON.parse(response.rawOutput)), doc.expected);
  assert.equal(response.record?.lenderName, doc.expected.lender_name);
  assert.notEqual(response.record?.liabilityType, LiabilityType.UNSPECIFIED);
  assert.equal(response.confidence?.available, true);
  assert.ok((response.timings?.totalMs ?? 0) >= 190);
});

test("rejects a document it has no label for, without echoing its text", async () => {
  await assert.rejects(
    client.extract({ documentId: "x", kind: DocumentKind.STATEMENT, text: "secret text" }),
    (err: grpc.ServiceError) => err.code === grpc.status.INVALID_ARGUMENT && !err.message.includes("secret"),
  );
});

test("queues beyond its slots and sheds beyond its queue with RESOURCE_EXHAUSTED", async () => {
  const doc = documents[1]!;
  const receivedBefore = sidecar.stats().received;
  const calls = Array.from({ length: 6 }, (_, i) =>
    client.extract({ documentId: `q-${i}`, kind: DocumentKind.CALL_TRANSCRIPT, text: doc.text }).then(
      () => "ok",
      (err: grpc.ServiceError) => grpc.status[err.code],
    ),
  );
  // Wait until all six have arrived (a busy machine can take a while), whatever their fate.
  const deadline = Date.now() + 5000;
  let during = sidecar.stats();
  while (during.received - receivedBefore < 6 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 5));
    during = sidecar.stats();
  }
  const results = await Promise.all(calls);
  assert.equal(during.inFlight, 2);
  assert.equal(during.queued, 2);
  assert.equal(results.filter((r) => r === "ok").length, 4);
  assert.equal(results.filter((r) => r === "RESOURCE_EXHAUSTED").length, 2);
});

test("drops queued work whose deadline passes", async () => {
  const doc = documents[2]!;
  const busy = [0, 1].map((i) => client.extract({ documentId: `b-${i}`, kind: DocumentKind.STATEMENT, text: doc.text }));
  await assert.rejects(
    client.extract({ documentId: "late", kind: DocumentKind.STATEMENT, text: doc.text }, { deadline: new Date(Date.now() + 10) }),
    (err: grpc.ServiceError) => err.code === grpc.status.DEADLINE_EXCEEDED,
  );
  await Promise.all(busy);
});

test("ExtractBatch answers each document on its own: scripted failures as often as told, scripted outputs, labels", async () => {
  const requests: RequestLogEntry[] = [];
  const scripted = new FakeInferenceSidecar({
    labels: documents,
    answers: { flaky: { code: grpc.status.UNAVAILABLE, failTimes: 1 }, garbled: { output: "Sure! The balance is $1.", truncated: true } },
    onRequest: (request) => requests.push(request),
  });
  const batchClient = createServiceClient(InferenceService, await scripted.listen("127.0.0.1:0"), grpc.credentials.createInsecure());
  try {
    const text = documents[0]!.text;
    const batch = ["flaky", "garbled", "labelled"].map((documentId) => ({
      documentId,
      kind: DocumentKind.STATEMENT,
      text,
      traceContext: { traceparent: `00-${documentId.padEnd(32, "0")}-0000000000000001-01` },
    }));
    const first = await batchClient.extractBatch({ documents: batch });
    const second = await batchClient.extractBatch({ documents: batch.slice(0, 1) });

    assert.deepEqual(
      first.results.map((r) => r.documentId),
      ["flaky", "garbled", "labelled"],
    );
    const [flaky, garbled, labelled] = first.results.map((r) => r.outcome);
    assert.equal(flaky?.case === "failure" && flaky.value.code, grpc.status.UNAVAILABLE);
    assert.ok(garbled?.case === "response" && garbled.value.rawOutput === "Sure! The balance is $1." && garbled.value.truncated);
    assert.equal(garbled.value.record, undefined, "a scripted output carries no record");
    assert.ok(labelled?.case === "response");
    assert.deepEqual(liabilityRecordSchema.parse(JSON.parse(labelled.value.rawOutput)), documents[0]!.expected);
    assert.equal(labelled.value.confidence?.available, false);
    assert.ok(second.results[0]?.outcome.case === "response", "the scripted failure was used up; the label answers");

    assert.deepEqual(
      requests.map((r) => [r.documentId, r.via, r.traceparent?.split("-")[1]]),
      [...batch, batch[0]!].map((d) => [d.documentId, "ExtractBatch", d.documentId.padEnd(32, "0")]),
    );
  } finally {
    batchClient.channel.close();
    await scripted.close();
  }
});
