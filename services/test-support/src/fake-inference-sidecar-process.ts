import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { FakeInferenceSidecarOptions, RequestLogEntry } from "./fake-inference-sidecar.ts";

/** The process entry point, for a caller that manages the process itself (the load-test driver). */
export const FAKE_INFERENCE_SIDECAR_MAIN = fileURLToPath(new URL("./fake-inference-sidecar-main.ts", import.meta.url));

/** What the process is told; its requests are read back with `requests()` instead of a callback. */
export type FakeInferenceSidecarProcessOptions = Omit<FakeInferenceSidecarOptions, "onRequest">;

/**
 * Starts FakeInferenceSidecar as a child process on a Unix socket of its own, so that a test can
 * kill it the way a crash would and start it again on the same address.
 */
export class FakeInferenceSidecarProcess {
  readonly address: string;
  readonly #dir: string;
  readonly #env: Record<string, string>;
  readonly #requestLog: string;
  #child: ChildProcess | undefined;

  private constructor(options: FakeInferenceSidecarProcessOptions) {
    this.#dir = mkdtempSync(join(tmpdir(), "fake-sidecar-"));
    this.address = `unix:${join(this.#dir, "inference.sock")}`;
    this.#requestLog = join(this.#dir, "requests.jsonl");
    const labels = join(this.#dir, "labels.jsonl");
    const answers = join(this.#dir, "answers.json");
    writeFileSync(labels, (options.labels ?? []).map((label) => `${JSON.stringify(label)}\n`).join(""));
    writeFileSync(answers, JSON.stringify(options.answers ?? {}));
    const optional = (value: number | string | undefined) => (value === undefined ? undefined : String(value));
    const settings: Record<string, string | undefined> = {
      FAKE_SIDECAR_ADDRESS: this.address,
      FAKE_SIDECAR_LABELS: labels,
      FAKE_SIDECAR_ANSWERS: answers,
      FAKE_SIDECAR_REQUEST_LOG: this.#requestLog,
      FAKE_SIDECAR_LATENCY: options.latency,
      FAKE_SIDECAR_SLOTS: optional(options.slots),
      FAKE_SIDECAR_MAX_QUEUE: optional(options.maxQueue),
      FAKE_SIDECAR_CONFIDENCE: optional(options.confidence),
      FAKE_SIDECAR_SEED: optional(options.seed),
    };
    this.#env = Object.fromEntries(Object.entries(settings).filter((entry): entry is [string, string] => entry[1] !== undefined));
  }

  static async start(options: FakeInferenceSidecarProcessOptions): Promise<FakeInferenceSidecarProcess> {
    const sidecar = new FakeInferenceSidecarProcess(options);
    await sidecar.restart();
    return sidecar;
  }

  get running(): boolean {
    return this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** Starts the process (again) and resolves once it serves. */
  async restart(): Promise<void> {
    if (this.running) return;
    const child = spawn(process.execPath, [FAKE_INFERENCE_SIDECAR_MAIN], { env: { ...process.env, ...this.#env }, stdio: ["ignore", "pipe", "inherit"] });
    this.#child = child;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("FakeInferenceSidecar did not start in 20 s")), 20_000);
      // Its log lines go on being read (and dropped) after the ready line, so the pipe never fills.
      createInterface({ input: child.stdout! }).on("line", (line) => {
        if (line.startsWith('{"event":"ready"')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`FakeInferenceSidecar exited with ${code} before it was ready`));
      });
    });
  }

  /** Kills the process the way a crash would (SIGKILL by default). */
  async kill(signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    const child = this.#child;
    if (!child || !this.running) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill(signal);
    await exited;
  }

  /** Every document received, across restarts. */
  requests(): RequestLogEntry[] {
    if (!existsSync(this.#requestLog)) return [];
    return readFileSync(this.#requestLog, "utf8")
      .split("\n")
      .filter((line) => line.length > 0)
      .map((line) => JSON.parse(line) as RequestLogEntry);
  }

  async stop(): Promise<void> {
    await this.kill("SIGTERM");
    rmSync(this.#dir, { recursive: true, force: true });
  }
}
