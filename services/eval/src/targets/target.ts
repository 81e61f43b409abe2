import type { EvalDocument } from "../dataset.ts";
import type { DocResult, RunInfo } from "../result.ts";

export interface RunOptions {
  concurrency: number;
  /** Called once per document as soon as its result is known (drives the progress bar). */
  onResult: (result: DocResult) => void;
  signal?: AbortSignal;
}

/** Something that turns labelled documents into extracted records: a sidecar, or the whole system. */
export interface Target {
  readonly name: string;
  readonly mode: "sidecar" | "pipeline";
  /** Where it is reached (socket, host:port, or the Kafka/PostgreSQL pair); never a secret. */
  readonly address: string;
  run(docs: readonly EvalDocument[], options: RunOptions): Promise<RunInfo>;
  close(): Promise<void>;
}
