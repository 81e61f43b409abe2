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
import { ExtractBatchResponseSchema, ExtractResponseSchema, InferenceService, type ExtractResponse } from "@liability/contracts";
import { addService } from "@liability/platform";
import type { FakeSidecarScript } from "./fake-sidecar.ts";

const script = JSON.parse(readFileSync(process.argv[2]!, "utf8")) as FakeSidecarScript;
const failures = new Map<string, number>();

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

type Answer = { ok: true; response: ExtractResponse } | { ok: false; code: grpc.status; details: string };

/** One document as the script says, after its delay; `cancelled` stops the delay. */
function answerDocument(
  documentId: string,
  text: string,
  traceparent: unknown,
  via: "Extract" | "ExtractBatch",
  cancelled: (stop: () => void) => void,
): Promise<Answer> {
  appendFileSync(
    script.requestLog,
    `${JSON.stringify({ documentId, traceparent: typeof traceparent === "string" ? traceparent : null, at: Date.now(), via })}\n`,
  );
  const answer = script.answers[documentId];
  const delayMs = answer?.delayMs ?? script.delayMs;
  const respond = (): Answer => {
    if (answer?.code !== undefined) {
      const seen = failures.get(documentId) ?? 0;
      if (answer.failTimes === undefined || seen < answer.failTimes) {
        failures.set(documentId, seen + 1);
        return { ok: false, code: answer.code, details: "scripted failure" };
      }
    }
    const output = answer?.output ?? script.labels[sha256(text)];
    if (output === undefined) return { ok: false, code: grpc.status.INTERNAL, details: "FakeInferenceSidecar has no answer for this document" };
    return {
      ok: true,
      response: create(ExtractResponseSchema, {
        rawOutput: output,
        model: { modelId: "fake-inference-sidecar", modelVersion: "test-double", promptVersion: "extraction-v1" },
        confidence: answer?.confidence ? { available: true, fields: answer.confidence } : { available: false, note: "test double" },
        truncated: answer?.truncated ?? false,
        timings: { totalMs: delayMs },
      }),
    };
  };
  if (delayMs <= 0) return Promise.resolve(respond());
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(respond()), delayMs);
    cancelled(() => clearTimeout(timer));
  });
}

const server = new grpc.Server();
addService(server, InferenceService, {
  extract(call, callback) {
    const { documentId, text } = call.request;
    void answerDocument(documentId, text, call.metadata.get("traceparent")[0], "Extract", (stop) => call.on("cancelled", stop)).then((a) =>
      a.ok ? callback(null, a.response) : callback({ code: a.code, details: a.details }),
    );
  },
  extractBatch(call, callback) {
    void Promise.all(
      call.request.documents.map((d) => answerDocument(d.documentId, d.text, d.traceContext.traceparent, "ExtractBatch", (stop) => call.on("cancelled", stop))),
    ).then((answers) =>
      callback(
        null,
        create(ExtractBatchResponseSchema, {
          results: answers.map((a, i) => ({
            documentId: call.request.documents[i]!.documentId,
            outcome: a.ok
              ? { case: "response" as const, value: a.response }
              : { case: "failure" as const, value: { code: a.code, message: a.details, retryAfterMs: 0 } },
          })),
        }),
      ),
    );
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
