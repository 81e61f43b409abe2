import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { create } from "@bufbuild/protobuf";
import { DocumentKind, ExtractResponseSchema, InferenceService, LiabilityType } from "@liability/contracts";
import * as grpc from "@grpc/grpc-js";
import { addService, createServiceClient } from "../src/grpc.ts";

// A scripted InferenceService handler: this test is about the adapter, not the model.
const dir = mkdtempSync(join(tmpdir(), "grpc-adapter-"));
const address = `unix:${join(dir, "s.sock")}`;
const server = new grpc.Server();
let slowCallCancelled: Promise<void>;

before(async () => {
  let markCancelled!: () => void;
  slowCallCancelled = new Promise((resolve) => (markCancelled = resolve));
  addService(server, InferenceService, {
    extractBatch(_call, callback) {
      callback({ code: grpc.status.UNIMPLEMENTED, details: "this test double answers Extract only" });
    },
    extract(call, callback) {
      if (call.request.documentId === "slow") {
        call.on("cancelled", markCancelled);
        return;
      }
      callback(
        null,
        create(ExtractResponseSchema, {
          rawOutput: `${call.request.documentId}:${call.request.text.length}`,
          record: { liabilityType: LiabilityType.MORTGAGE, lenderName: "Northgate", currentBalance: 12.5 },
        }),
      );
    },
  });
  await new Promise<void>((resolve, reject) => server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (e) => (e ? reject(e) : resolve())));
});

after(() => {
  server.forceShutdown();
  rmSync(dir, { recursive: true, force: true });
});

test("a unary call round-trips generated messages over a Unix socket", async () => {
  const client = createServiceClient(InferenceService, address, grpc.credentials.createInsecure());
  const response = await client.extract({ documentId: "d1", kind: DocumentKind.STATEMENT, text: "héllo" });
  assert.equal(response.rawOutput, "d1:5");
  assert.equal(response.record?.liabilityType, LiabilityType.MORTGAGE);
  assert.equal(response.record?.currentBalance, 12.5);
  assert.equal(response.record?.accountLast4, undefined);
  client.channel.close();
});

test("an aborted call is cancelled on the server and rejects with CANCELLED", async () => {
  const client = createServiceClient(InferenceService, address, grpc.credentials.createInsecure());
  const controller = new AbortController();
  const pending = client.extract({ documentId: "slow", text: "x" }, { signal: controller.signal });
  setTimeout(() => controller.abort(), 50);
  await assert.rejects(pending, (e: grpc.ServiceError) => e.code === grpc.status.CANCELLED);
  await slowCallCancelled;
  client.channel.close();
});

test("a passed deadline rejects with DEADLINE_EXCEEDED", async () => {
  const client = createServiceClient(InferenceService, address, grpc.credentials.createInsecure());
  const pending = client.extract({ documentId: "slow", text: "x" }, { deadline: new Date(Date.now() + 100) });
  await assert.rejects(pending, (e: grpc.ServiceError) => e.code === grpc.status.DEADLINE_EXCEEDED);
  client.channel.close();
});
