import type { ExtractedRecord } from "@liability/domain";

/** What one target produced for one document. */
export interface DocResult {
  id: string;
  /** The extracted record as spec JSON, or null when there was no usable output. */
  output: ExtractedRecord | null;
  /** Transport or server failure (gRPC status, dead letter, timeout); the record then counts as wrong. */
  error: string | null;
  /** Client-observed latency: the Extract call round trip, or publish-to-record in the pipeline. */
  latencyMs: number;
  /** The sidecar's own processing time (queue + prompt + generation), when known. */
  serverMs: number | null;
  promptTokens: number | null;
  completionTokens: number | null;
  truncated: boolean;
  /** Lowest per-field confidence the model reported, when it did. */
  confidence: number | null;
  /** Validation outcome: from the worker (pipeline) or from domain validation applied here (sidecar). */
  status: "accepted" | "review" | null;
  reasons: string[];
  model: { id: string; version: string; prompt: string } | null;
}

/** What a whole run against one target measured besides the per-document results. */
export interface RunInfo {
  /** Wall-clock seconds from the first request to the last answer. */
  wallSeconds: number;
  concurrency: number;
  /** Set when the mode could not be exercised as intended, e.g. the pipeline never answered. */
  note?: string;
}
