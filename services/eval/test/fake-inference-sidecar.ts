import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { create } from "@bufbuild/protobuf";
import { ExtractResponseSchema, InferenceService } from "@liability/contracts";
import type { ExtractRequest } from "@liability/contracts";
import { addService } from "@liability/platform";

export type FakeAnswer =
  | { kind: "json"; raw: string; promptTokens?: number; completionTokens?: number; confidence?: Record<string, number>; delayMs?: number }
  | { kind: "error"; code: grpc.status };

/**
 * FakeInferenceSidecar: a test double of the inference sidecar. It serves the real
 * InferenceService contract over a Unix socket and answers each document id with a
 * canned model output, so the eval command can be tested without a model.
 */
export class FakeInferenceSidecar {
  readonly address: string;
  readonly calls: string[] = [];
  readonly #server = new grpc.Server();
  readonly #dir: string;
  readonly #answers: ReadonlyMap<string, FakeAnswer>;

  constructor(answers: ReadonlyMap<string, FakeAnswer>) {
    this.#answers = answers;
    this.#dir = mkdtempSync(join(tmpdir(), "fake-sidecar-"));
    this.address = `unix://${join(this.#dir, "inference.sock")}`;
    addService(this.#server, InferenceService, {
      extract: (call: grpc.ServerUnaryCall<ExtractRequest, unknown>, callback: grpc.sendUnaryData<never>) => {
        const id = call.request.documentId;
        this.calls.push(id);
        const answer = this.#answers.get(id);
        if (!answer) return callback({ code: grpc.status.NOT_FOUND, details: `no canned answer for ${id}` });
        if (answer.kind === "error") return callback({ code: answer.code, details: "fake failure" });
        const reply = () =>
          callback(
            null,
            create(ExtractResponseSchema, {
              rawOutput: answer.raw,
              model: { modelId: "fake-model", modelVersion: "v0", promptVersion: "extraction-v1" },
              usage: { promptTokens: answer.promptTokens ?? 300, completionTokens: answer.completionTokens ?? 90 },
              timings: { queueMs: 1, promptMs: 5, generationMs: 10, totalMs: 16 },
              confidence: { available: answer.confidence !== undefined, fields: answer.confidence ?? {}, note: "" },
              truncated: false,
            }) as never,
          );
        if (answer.delayMs) setTimeout(reply, answer.delayMs);
        else reply();
      },
    } as never);
  }

  start(): Promise<void> {
    return new Promise((resolve, reject) =>
      this.#server.bindAsync(this.address, grpc.ServerCredentials.createInsecure(), (error) => (error ? reject(error) : resolve())),
    );
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.tryShutdown(() => resolve()));
    rmSync(this.#dir, { recursive: true, force: true });
  }
}
