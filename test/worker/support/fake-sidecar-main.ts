// FakeInferenceSidecar: a test double of the inference sidecar, run as its own process so
// that a test can kill it (SIGKILL) and start it again on the same socket.
//
// It is a real gRPC server with the real contract (InferenceService over protobuf-es, plus
// grpc.health.v1), so the worker's client, deadlines, retries, breaker and health probes are
// exercised as in production. Only the model is replaced: answers come from a script file
// (per document id) or from labels (by text), which is what tests of the worker's own
// behaviour need. Usage: node fake-sidecar-main.ts <script.json>
import { createHash } from "node:crypto";
import { appendFileSync, readFileSync, rmSync } from "node:fs";
import { create } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { HealthImplementation } from "grpc-health-check";
import { ExtractResponseSchema, InferenceService } from "@liability/contracts";
import { addService } from "@liability/platform";
import type { FakeSidecarScript } from "./fake-sidecar.ts";

const script = JSON.parse(readFileSync(process.argv[2]!, "utf8")) as FakeSidecarScript;
const failures = new Map<string, number>();

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

const server = new grpc.Server();
addService(server, InferenceService, {
  extractBatch(_call, callback) {
    callback({ code: grpc.status.UNIMPLEMENTED, details: "this test double answers Extract only" });
  },
  extract(call, callback) {
    const { documentId, text } = call.request;
    const traceparent = call.metadata.get("traceparent")[0];
    appendFileSync(
      script.requestLog,
      `${JSON.stringify({ documentId, traceparent: typeof traceparent === "string" ? traceparent : null, at: Date.now() })}\n`,
    );
    const answer = script.answers[documentId];
    const delayMs = answer?.delayMs ?? script.delayMs;
    const respond = () => {
      if (answer?.code !== undefined) {
        const seen = failures.get(documentId) ?? 0;
        if (answer.failTimes === undefined || seen < answer.failTimes) {
          failures.set(documentId, seen + 1);
          callback({ code: answer.code, details: "scripted failure" });
          return;
        }
      }
      const output = answer?.output ?? script.labels[sha256(text)];
      if (output === undefined) {
        callback({ code: grpc.status.INTERNAL, details: "FakeInferenceSidecar has no answer for this document" });
        return;
      }
      callback(
        null,
        create(ExtractResponseSchema, {
          rawOutput: output,
          model: { modelId: "fake-inference-sidecar", modelVersion: "test-double", promptVersion: "extraction-v1" },
          confidence: answer?.confidence
            ? { available: true, fields: answer.confidence }
            : { available: false, note: "test double" },
          truncated: answer?.truncated ?? false,
          timings: { totalMs: delayMs },
        }),
      );
    };
    if (delayMs > 0) {
      const timer = setTimeout(respond, delayMs);
      call.on("cancelled", () => clearTimeout(timer));
    } else respond();
  },
});
new HealthImplementation({ "": "SERVING", [InferenceService.typeName]: "SERVING" }).addToServer(server);

const socketPath = script.address.replace(/^unix:(\/\/)?/, "");
rmSync(socketPath, { force: true });
server.bindAsync(script.address, grpc.ServerCredentials.createInsecure(), (error) => {
  if (error) {
    process.stderr.write(`FakeInferenceSidecar could not bind: ${error.message}\n`);
    process.exit(1);
  }
  process.stdout.write("ready\n");
});

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => server.tryShutdown(() => process.exit(0)));
}
