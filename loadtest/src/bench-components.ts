// CPU cost per document of the worker's main pieces, measured in isolation:
//   node loadtest/src/bench-components.ts [--calls 20000] [--concurrency 64]
// - validation (services/domain validateExtraction) over the load-test corpus;
// - protobuf-es encode/decode of the messages one document causes;
// - one unary InferenceService.Extract over a Unix socket (grpc-js), client and server CPU
//   separately, against FakeInferenceSidecar in its own process with no service time.
// CPU time (not wall time) is what is reported, so the figures hold on a busy shared machine;
// they explain the load test's CPU-per-document figure and bound what 2 cores can carry.
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import {
  DocumentReceivedSchema,
  encodeDocumentReceived,
  ExtractRequestSchema,
  ExtractResponseSchema,
  InferenceService,
  LiabilityRecordedSchema,
  RecordStatus,
  kindToProto,
  recordToProto,
} from "@liability/contracts";
import { canonicalRecordJson, validateExtraction } from "@liability/domain";
import { createServiceClient } from "@liability/platform";
import { FAKE_INFERENCE_SIDECAR_MAIN } from "@liability/test-support";
import { z } from "zod";
import { loadLabelledJsonl } from "./corpus.ts";
import { DEFAULT_CORPUS, REPO_ROOT } from "./paths.ts";

const { values } = parseArgs({ options: { calls: { type: "string" }, concurrency: { type: "string" }, corpus: { type: "string" } } });
const opts = z
  .object({
    calls: z.coerce.number().int().positive().max(200_000).default(20_000),
    concurrency: z.coerce.number().int().positive().max(1024).default(64),
    corpus: z.string().default(DEFAULT_CORPUS),
  })
  .parse(values);
const docs = loadLabelledJsonl(opts.corpus);

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function procCpuMs(pid: number): number {
  const rest = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(rest[11]) + Number(rest[12])) * 10;
}

/** Resolves when the child process logs its "ready" line; the servers benchmarked here all do. */
function untilReady(child: ChildProcess, name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start`)), 30_000);
    createInterface({ input: child.stdout! }).on("line", (l) => {
      if (l.includes('"ready"')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

const results: { piece: string; perDocUs: number; note: string }[] = [];

// 1. Validation, three passes over the corpus after a warm-up pass (JIT).
{
  const reference = new Date("2026-11-22T00:00:00Z");
  const run = () => {
    for (const d of docs) validateExtraction({ text: d.text, output: canonicalRecordJson(d.expected), confidence: null, referenceDate: reference });
  };
  run();
  const passes = 3;
  const t0 = cpuMs();
  for (let i = 0; i < passes; i++) run();
  results.push({
    piece: "validation (validateExtraction)",
    perDocUs: ((cpuMs() - t0) * 1000) / (passes * docs.length),
    note: `${docs.length} corpus documents × ${passes}`,
  });
}

// 2. Protobuf-es: what one document costs the worker in (de)serialisation.
{
  const _encoder = new TextEncoder();
  const decoder = new TextDecoder("utf-8", { fatal: true });
  const responses = docs.map((d) =>
    toBinary(ExtractResponseSchema, create(ExtractResponseSchema, { record: recordToProto(d.expected), rawOutput: canonicalRecordJson(d.expected) })),
  );
  const events = docs.map(
    (d, i) =>
      encodeDocumentReceived({ documentId: `bench-${i}`, kind: "statement", tenantId: "t", sourceSystem: "bench", receivedAtMs: Date.now(), text: d.text })
        .value,
  );
  const run = () => {
    for (let i = 0; i < docs.length; i++) {
      const event = fromBinary(DocumentReceivedSchema, events[i]!);
      const text = decoder.decode(event.content.case === "text" ? event.content.value : new Uint8Array());
      toBinary(ExtractRequestSchema, create(ExtractRequestSchema, { documentId: event.documentId, kind: event.kind, text }));
      const response = fromBinary(ExtractResponseSchema, responses[i]!);
      toBinary(
        LiabilityRecordedSchema,
        create(LiabilityRecordedSchema, { documentId: event.documentId, tenantId: "t", status: RecordStatus.ACCEPTED, record: response.record }),
      );
    }
  };
  run();
  const passes = 5;
  const t0 = cpuMs();
  for (let i = 0; i < passes; i++) run();
  results.push({
    piece: "protobuf-es (event decode, request encode, response decode, LiabilityRecorded encode)",
    perDocUs: ((cpuMs() - t0) * 1000) / (passes * docs.length),
    note: "plus UTF-8 decode of the text",
  });
}

// 3. gRPC unary call: client (this process) and server (the test double's process).
{
  const socket = `unix:/tmp/lre-bench-${process.pid}.sock`;
  // No latency and no slot limit: the defaults, so that only gRPC and protobuf cost CPU.
  const child = spawn(join(REPO_ROOT, "node_modules", ".bin", "node"), [FAKE_INFERENCE_SIDECAR_MAIN], {
    env: { ...process.env, FAKE_SIDECAR_ADDRESS: socket, FAKE_SIDECAR_LABELS: opts.corpus },
    stdio: ["ignore", "pipe", "ignore"],
  });
  try {
    await untilReady(child, "test double");
    const client = createServiceClient(InferenceService, socket, grpc.credentials.createInsecure());
    const call = (i: number) => {
      const d = docs[i % docs.length]!;
      return client.extract({ documentId: `bench-${i}`, kind: kindToProto(d.kind), text: d.text }, { deadline: new Date(Date.now() + 30_000) });
    };
    const drive = async (n: number) => {
      let next = 0;
      await Promise.all(
        Array.from({ length: opts.concurrency }, async () => {
          while (next < n) await call(next++);
        }),
      );
    };
    await drive(2000);
    const c0 = cpuMs();
    const s0 = procCpuMs(child.pid!);
    const w0 = performance.now();
    await drive(opts.calls);
    const wall = performance.now() - w0;
    const clientUs = ((cpuMs() - c0) * 1000) / opts.calls;
    const serverUs = ((procCpuMs(child.pid!) - s0) * 1000) / opts.calls;
    client.channel.close();
    results.push({
      piece: "gRPC unary Extract, client side (grpc-js + platform adapter + protobuf-es)",
      perDocUs: clientUs,
      note: `${opts.calls} calls, concurrency ${opts.concurrency}, ${Math.round((opts.calls / wall) * 1000)} calls/s wall`,
    });
    results.push({
      piece: "gRPC unary Extract, server side (FakeInferenceSidecar, no service time)",
      perDocUs: serverUs,
      note: "test double's process, /proc",
    });
  } finally {
    child.kill("SIGTERM");
  }
}

// 4. Per-call vs per-byte cost of grpc-js: one document per call vs twenty per call (what a
// batch RPC would carry), same bytes per document (mean request text, mean response record).
{
  const socket = `unix:/tmp/lre-bench-echo-${process.pid}.sock`;
  const child = spawn(join(REPO_ROOT, "node_modules", ".bin", "node"), [join(REPO_ROOT, "loadtest", "src", "bench-echo-server.ts"), socket], {
    stdio: ["ignore", "pipe", "ignore"],
  });
  try {
    await untilReady(child, "echo server");
    const raw = (b: Buffer) => b;
    const client = new grpc.Client(socket, grpc.credentials.createInsecure());
    const meanText = Math.round(docs.reduce((a, d) => a + d.bytes.length, 0) / docs.length);
    const meanRecord = 400;
    for (const perCall of [1, 20]) {
      const request = Buffer.alloc(4 + meanText * perCall);
      request.writeUInt32LE(meanRecord * perCall, 0);
      const one = () =>
        new Promise<void>((resolve, reject) =>
          client.makeUnaryRequest("/bench.Echo/Echo", raw, raw, request, new grpc.Metadata(), { deadline: new Date(Date.now() + 30_000) }, (err) =>
            err ? reject(err) : resolve(),
          ),
        );
      const calls = Math.max(500, Math.round(opts.calls / perCall));
      const drive = async (n: number) => {
        let next = 0;
        await Promise.all(
          Array.from({ length: Math.min(opts.concurrency, n) }, async () => {
            while (next++ < n) await one();
          }),
        );
      };
      await drive(500);
      const c0 = cpuMs();
      const s0 = procCpuMs(child.pid!);
      await drive(calls);
      const docsDone = calls * perCall;
      results.push({
        piece: `grpc-js unary call carrying ${perCall} document(s), client + server`,
        perDocUs: ((cpuMs() - c0 + procCpuMs(child.pid!) - s0) * 1000) / docsDone,
        note: `${calls} calls of ${meanText * perCall} B up, ${meanRecord * perCall} B down, raw bytes (no protobuf)`,
      });
    }
    client.close();
  } finally {
    child.kill("SIGTERM");
  }
}

console.log("| piece | CPU µs per document | measured over |");
console.log("|---|---:|---|");
for (const r of results) console.log(`| ${r.piece} | ${Math.round(r.perDocUs)} | ${r.note} |`);
process.exit(0);
