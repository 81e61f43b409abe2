// Pieces both sidecar benchmarks (bench.ts on CPU, gpu-bench.ts) use.
import { readFileSync } from "node:fs";
import * as grpc from "@grpc/grpc-js";
import { labelledDocumentSchema, type LabelledDocument } from "@liability/domain";
import { createHealthClient } from "@liability/platform";

/** A labelled JSONL file (spec format; extra keys such as the corpus's `meta` are dropped). */
export function loadDocuments(file: string): LabelledDocument[] {
  const docs = readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim().length > 0)
    .map((l) => labelledDocumentSchema.parse(JSON.parse(l)));
  if (docs.length === 0) throw new Error(`${file}: no documents`);
  return docs;
}

/** Nearest rank; `sorted` ascending. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export const mean = (xs: number[]) => (xs.length === 0 ? Number.NaN : xs.reduce((a, b) => a + b, 0) / xs.length);

/** CPU seconds used so far by the process running the model. */
export type CpuClock = () => number;

export const ownCpu: CpuClock = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/** utime + stime of another process, from /proc (Linux); NaN elsewhere. */
export function processCpu(pid: number): CpuClock {
  return () => {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
      return (Number(fields[11]) + Number(fields[12])) / 100;
    } catch {
      return Number.NaN;
    }
  };
}

/** Polls grpc.health.v1 until the sidecar says SERVING; `gone` rejects early (e.g. the child exited). */
export async function waitServing(address: string, timeoutMs: number, gone?: Promise<never>): Promise<void> {
  const health = createHealthClient(address, grpc.credentials.createInsecure());
  const until = Date.now() + timeoutMs;
  let stop = false;
  gone?.catch(() => (stop = true));
  try {
    const poll = (async () => {
      for (;;) {
        const status = await health.check("", 5_000).catch(() => "DOWN");
        if (status === "SERVING") return;
        if (stop) return;
        if (Date.now() > until) throw new Error(`sidecar at ${address} not SERVING after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 250));
      }
    })();
    await (gone ? Promise.race([poll, gone]) : poll);
  } finally {
    health.close();
  }
}
