import { metrics, type Attributes } from "@opentelemetry/api";
import type { EngineStats } from "./engine.ts";

const MS_BUCKETS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 20_000, 40_000, 80_000];
const SECOND_BUCKETS = MS_BUCKETS.map((ms) => ms / 1000);
/** OpenTelemetry's generative-AI conventions: what every gen_ai.server.* series carries. */
const GEN_AI = { "gen_ai.operation.name": "text_completion", "gen_ai.provider.name": "llama.cpp" };

/**
 * The sidecar's metrics (OpenTelemetry; exported by the platform's meter provider):
 * requests by outcome, latency histograms per phase, tokens, generation speed, queue depth,
 * active sequences and the batch size seen at each generated token.
 */
export class InferenceInstruments {
  readonly #requests;
  readonly #latency;
  readonly #queue;
  readonly #prompt;
  readonly #generation;
  readonly #tokens;
  readonly #tokensPerSecond;
  readonly #batchSize;
  readonly #genAiDuration;
  readonly #timeToFirstToken;
  readonly #timePerOutputToken;

  constructor(stats: () => EngineStats | undefined) {
    const meter = metrics.getMeter("@liability/inference");
    this.#requests = meter.createCounter("inference.requests", {
      description: "Extract calls by outcome (ok, invalid, shed, cancelled, deadline, unavailable, error)",
    });
    const histogram = (name: string, description: string) =>
      meter.createHistogram(name, { description, unit: "ms", advice: { explicitBucketBoundaries: MS_BUCKETS } });
    this.#latency = histogram("inference.request.duration", "Extract latency, receipt to response");
    this.#queue = histogram("inference.queue.duration", "Time waiting for a free sequence");
    this.#prompt = histogram("inference.prompt.duration", "Prompt evaluation up to the first generated token");
    this.#generation = histogram("inference.generation.duration", "First to last generated token");
    this.#tokens = meter.createCounter("inference.tokens", {
      description: "Tokens by kind: prompt (evaluated), prompt_cached (reused from the sequence), completion",
    });
    this.#tokensPerSecond = meter.createHistogram("inference.generation.tokens_per_second", {
      description: "Completion tokens per second of generation time, per request",
      advice: { explicitBucketBoundaries: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] },
    });
    this.#batchSize = meter.createHistogram("inference.batch.size", {
      description: "Sequences generating together, sampled at every generated token",
      advice: { explicitBucketBoundaries: [1, 2, 3, 4, 6, 8, 12, 16, 32, 64] },
    });
    this.#genAiDuration = meter.createHistogram("gen_ai.server.request.duration", {
      description: "Extract latency, receipt to response (OpenTelemetry gen_ai conventions)",
      unit: "s",
      advice: { explicitBucketBoundaries: SECOND_BUCKETS },
    });
    this.#timeToFirstToken = meter.createHistogram("gen_ai.server.time_to_first_token", {
      description: "Receipt to the first generated token: queue wait plus prompt evaluation",
      unit: "s",
      advice: { explicitBucketBoundaries: SECOND_BUCKETS },
    });
    this.#timePerOutputToken = meter.createHistogram("gen_ai.server.time_per_output_token", {
      description: "Generation time per completion token after the first",
      unit: "s",
      advice: { explicitBucketBoundaries: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1] },
    });
    const queueDepth = meter.createObservableGauge("inference.queue.depth", {
      description: "Requests waiting for a sequence",
    });
    const active = meter.createObservableGauge("inference.sequences.active", {
      description: "Sequences running a request",
    });
    meter.addBatchObservableCallback(
      (result) => {
        const s = stats();
        if (!s) return;
        result.observe(queueDepth, s.queued);
        result.observe(active, s.activeSequences);
      },
      [queueDepth, active],
    );
  }

  request(outcome: string, totalMs: number, attributes: Attributes = {}): void {
    this.#requests.add(1, { outcome, ...attributes });
    this.#latency.record(totalMs, { outcome });
    this.#genAiDuration.record(totalMs / 1000, outcome === "ok" ? GEN_AI : { ...GEN_AI, "error.type": outcome });
  }

  phases(p: { queueMs: number; promptMs: number; generationMs: number; promptTokens: number; cachedPromptTokens: number; completionTokens: number }): void {
    this.#queue.record(p.queueMs);
    this.#prompt.record(p.promptMs);
    this.#generation.record(p.generationMs);
    this.#tokens.add(p.promptTokens - p.cachedPromptTokens, { kind: "prompt" });
    this.#tokens.add(p.cachedPromptTokens, { kind: "prompt_cached" });
    this.#tokens.add(p.completionTokens, { kind: "completion" });
    this.#timeToFirstToken.record((p.queueMs + p.promptMs) / 1000, GEN_AI);
    if (p.generationMs > 0 && p.completionTokens > 1) {
      this.#tokensPerSecond.record(((p.completionTokens - 1) * 1000) / p.generationMs);
      this.#timePerOutputToken.record(p.generationMs / (p.completionTokens - 1) / 1000, GEN_AI);
    }
  }

  step(activeSequences: number): void {
    this.#batchSize.record(activeSequences);
  }
}
