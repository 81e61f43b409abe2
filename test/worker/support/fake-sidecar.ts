import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** How the FakeInferenceSidecar answers one document. */
export interface ScriptedAnswer {
  /** The raw model output to return (JSON text, or anything to test the schema rule). */
  output?: string;
  /** A gRPC status code to fail with (every time, or the first `failTimes` times). */
  code?: number;
  failTimes?: number;
  delayMs?: number;
  confidence?: Record<string, number>;
  truncated?: boolean;
}

export interface FakeSidecarScript {
  address: string;
  requestLog: string;
  delayMs: number;
  /** By document id. */
  answers: Record<string, ScriptedAnswer>;
  /** Raw output by sha256 of the document text: the label, as a perfect model would answer. */
  labels: Record<string, string>;
}

export interface FakeSidecarOptions {
  /** Latency of every answer, unless an answer sets its own. */
  delayMs?: number;
  answers?: Record<string, ScriptedAnswer>;
  /** Documents whose label is the answer: a perfect model. */
  labels?: readonly { text: string; output: string }[];
}

export interface RequestLogEntry {
  documentId: string;
  traceparent: string | null;
  at: number;
  /** The RPC that carried the document. */
  via: "Extract" | "ExtractBatch";
}

const MAIN = fileURLToPath(new URL("./fake-sidecar-main.ts", import.meta.url));

export function textKey(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/**
 * FakeInferenceSidecar: starts the test double (fake-sidecar-main.ts) as a child process
 * on a Unix socket of its own, and can kill and restart it on the same address.
 */
export class FakeInferenceSidecar {
  readonly address: string;
  readonly #dir: string;
  readonly #scriptPath: string;
  readonly #script: FakeSidecarScript;
  #child: ChildProcess | undefined;

  private constructor(options: FakeSidecarOptions) {
    this.#dir = mkdtempSync(join(tmpdir(), "fake-sidecar-"));
    this.address = `unix:${join(this.#dir, "inference.sock")}`;
    this.#scriptPath = join(this.#dir, "script.json");
    this.#script = {
      address: this.address,
      requestLog: join(this.#dir, "requests.jsonl"),
      delayMs: options.delayMs ?? 0,
      answers: options.answers ?? {},
      labels: Object.fromEntries((options.labels ?? []).map((l) => [textKey(l.text), l.output])),
    };
    writeFileSync(this.#scriptPath, JSON.stringify(this.#script));
  }

  static async start(options: FakeSidecarOptions): Promise<FakeInferenceSidecar> {
    const sidecar = new FakeInferenceSidecar(options);
    await sidecar.restart();
    return sidecar;
  }

  get running(): boolean {
    return this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** Starts the process (again) and resolves once it listens. */
  async restart(): Promise<void> {
    if (this.running) return;
    const child = spawn(process.execPath, [MAIN, this.#scriptPath], { stdio: ["ignore", "pipe", "inherit"] });
    this.#child = child;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("FakeInferenceSidecar did not start in 20 s")), 20_000);
      child.stdout!.on("data", (chunk: Buffer) => {
        if (chunk.toString().includes("ready")) {
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

  requests(): RequestLogEntry[] {
    if (!existsSync(this.#script.requestLog)) return [];
    return readFileSync(this.#script.requestLog, "utf8")
      .split("\n")
      .filter((l) => l.length > 0)
      .map((l) => JSON.parse(l) as RequestLogEntry);
  }

  async stop(): Promise<void> {
    await this.kill("SIGTERM");
    rmSync(this.#dir, { recursive: true, force: true });
  }
}
