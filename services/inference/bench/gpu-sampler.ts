// GPU memory and utilisation from nvidia-smi while a benchmark runs. Where nvidia-smi is absent
// (CPU machines) every query answers undefined and the report says "n/a".
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { promisify } from "node:util";
import type { GpuWindow } from "./gpu-report.ts";

const run = promisify(execFile);

/** One reading per GPU 0: what nvidia-smi printed and when it arrived. */
interface Reading {
  at: number;
  memUsedMiB: number;
  memTotalMiB: number;
  utilPct: number;
}

export class GpuSampler {
  readonly #child: ChildProcess;
  readonly #readings: Reading[] = [];

  private constructor(child: ChildProcess) {
    this.#child = child;
    let buffer = "";
    child.stdout!.setEncoding("utf8");
    child.stdout!.on("data", (chunk: string) => {
      buffer += chunk;
      let nl: number;
      while ((nl = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, nl).trim();
        buffer = buffer.slice(nl + 1);
        const [used, total, util] = line.split(",").map((x) => Number(x.trim()));
        if ([used, total, util].every((n) => Number.isFinite(n))) {
          this.#readings.push({ at: Date.now(), memUsedMiB: used!, memTotalMiB: total!, utilPct: util! });
        }
      }
    });
  }

  /** Starts sampling every `intervalMs`, or answers undefined when there is no nvidia-smi. */
  static async start(intervalMs = 500): Promise<GpuSampler | undefined> {
    if ((await gpuInfo()) === undefined) return undefined;
    const child = spawn(
      "nvidia-smi",
      ["--id=0", "--query-gpu=memory.used,memory.total,utilization.gpu", "--format=csv,noheader,nounits", `-lms`, String(intervalMs)],
      { stdio: ["ignore", "pipe", "ignore"] },
    );
    child.on("error", () => {});
    return new GpuSampler(child);
  }

  /** Peak memory and mean utilisation between two Date.now() instants. */
  window(from: number, to: number): GpuWindow | null {
    const rs = this.#readings.filter((r) => r.at >= from && r.at <= to);
    if (rs.length === 0) return null;
    return {
      memUsedMaxMiB: Math.max(...rs.map((r) => r.memUsedMiB)),
      memTotalMiB: rs[0]!.memTotalMiB,
      utilMeanPct: Math.round((rs.reduce((a, r) => a + r.utilPct, 0) / rs.length) * 10) / 10,
    };
  }

  stop(): void {
    this.#child.kill("SIGTERM");
  }
}

/** Name, driver, memory and compute capability of GPU 0, or undefined without nvidia-smi. */
export async function gpuInfo(): Promise<Record<string, string> | undefined> {
  try {
    const { stdout } = await run(
      "nvidia-smi",
      ["--id=0", "--query-gpu=name,driver_version,memory.total,memory.used,compute_cap", "--format=csv,noheader,nounits"],
      {
        timeout: 10_000,
      },
    );
    const [name, driver, memTotalMiB, memUsedMiB, computeCap] = stdout
      .trim()
      .split(",")
      .map((s) => s.trim());
    return { name: name!, driver: driver!, memTotalMiB: memTotalMiB!, memUsedMiB: memUsedMiB!, computeCap: computeCap! };
  } catch {
    return undefined;
  }
}

/** GPU memory (MiB) nvidia-smi attributes to a process, or undefined (no nvidia-smi, or another PID namespace). */
export async function processGpuMemoryMiB(pid: number): Promise<number | undefined> {
  try {
    const { stdout } = await run("nvidia-smi", ["--query-compute-apps=pid,used_memory", "--format=csv,noheader,nounits"], { timeout: 10_000 });
    for (const line of stdout.trim().split("\n")) {
      const [p, mem] = line.split(",").map((s) => Number(s.trim()));
      if (p === pid && Number.isFinite(mem)) return mem;
    }
    return undefined;
  } catch {
    return undefined;
  }
}
