import { startOpsServer, startTelemetry, type Logger, type OpsServer, type Telemetry } from "@liability/platform";
import type { MetricReader } from "@opentelemetry/sdk-metrics";
import type { SpanProcessor } from "@opentelemetry/sdk-trace-base";
import type { InferenceConfig } from "./config.ts";
import { LlamaEngine, type LlamaEngineOptions } from "./engine.ts";
import { InferenceServer } from "./server.ts";

export function engineOptions(config: InferenceConfig, logger?: Logger): LlamaEngineOptions {
  return {
    modelPath: config.INFERENCE_MODEL_PATH,
    modelSha256: config.INFERENCE_MODEL_SHA256,
    modelId: config.INFERENCE_MODEL_ID,
    loraPath: config.INFERENCE_LORA_PATH,
    loraSha256: config.INFERENCE_LORA_SHA256,
    loraScale: config.INFERENCE_LORA_SCALE,
    promptPath: config.INFERENCE_PROMPT_PATH,
    sequences: config.INFERENCE_SEQUENCES,
    contextSize: config.INFERENCE_CONTEXT_SIZE,
    batchSize: config.INFERENCE_BATCH_SIZE,
    threads: config.INFERENCE_THREADS,
    gpu: config.INFERENCE_GPU,
    gpuLayers: config.INFERENCE_GPU_LAYERS,
    maxQueue: config.INFERENCE_MAX_QUEUE,
    maxDocumentChars: config.INFERENCE_MAX_DOCUMENT_CHARS,
    confidence: config.INFERENCE_CONFIDENCE,
    decoding: config.INFERENCE_DECODING,
    onRuntimeLog: logger ? (level, message) => logger[level]({ source: "llama.cpp" }, message) : undefined,
  };
}

export interface Sidecar {
  readonly server: InferenceServer;
  readonly address: string;
  /** host:port of /metrics, /livez and /readyz, when METRICS_PORT is set. */
  readonly opsAddress: string | undefined;
  /** Resolves when the model is loaded and warmed up (health is SERVING); rejects on a start-up failure. */
  readonly ready: Promise<LlamaEngine>;
  /** Graceful drain, then releases the model and flushes telemetry. */
  stop(): Promise<void>;
}

export interface SidecarOptions {
  logger: Logger;
  /** Telemetry is started here unless the caller already did (tests pass false). */
  telemetry?: boolean;
  spanProcessors?: SpanProcessor[];
  metricReaders?: MetricReader[];
}

/**
 * Starts the sidecar: listen first (health answers NOT_SERVING while the model loads), then
 * load the model and run a warm-up request, then serve (health SERVING).
 */
export async function startSidecar(config: InferenceConfig, options: SidecarOptions): Promise<Sidecar> {
  const { logger } = options;
  let telemetry: Telemetry | undefined;
  if (options.telemetry !== false) {
    telemetry = startTelemetry({
      serviceName: "liability-inference",
      config,
      spanProcessors: options.spanProcessors,
      metricReaders: options.metricReaders,
    });
  }
  const server = new InferenceServer({
    address: config.INFERENCE_LISTEN_ADDRESS,
    tls: {
      certFile: config.INFERENCE_TLS_CERT_FILE,
      keyFile: config.INFERENCE_TLS_KEY_FILE,
      caFile: config.INFERENCE_TLS_CA_FILE,
    },
    logger,
    drainTimeoutMs: config.INFERENCE_DRAIN_TIMEOUT_MS,
  });
  const address = await server.listen();
  let ops: OpsServer | undefined;
  if (config.METRICS_PORT !== undefined) {
    ops = await startOpsServer({
      host: config.METRICS_HOST,
      port: config.METRICS_PORT,
      prometheus: telemetry?.prometheus,
      readiness: async () => ({ ready: server.serving, checks: { model_loaded: server.engine !== undefined, serving: server.serving } }),
    });
    logger.info({ address: ops.address }, "operations endpoint: /metrics, /livez, /readyz");
  }

  let engine: LlamaEngine | undefined;
  let stopping = false;
  let stopped: Promise<void> | undefined;
  const ready = (async () => {
    const loadStarted = performance.now();
    engine = await LlamaEngine.load(engineOptions(config, logger));
    logger.info(
      { ...engine.info, context_size: engine.contextSize, sequences: config.INFERENCE_SEQUENCES, load_ms: Math.round(performance.now() - loadStarted) },
      "model loaded",
    );
    const warm = await engine.warmUp();
    logger.info({ warm_up_ms: Math.round(warm.ms) }, "warm-up done");
    if (stopping) return engine;
    server.setEngine(engine);
    logger.info({ address }, "serving");
    return engine;
  })();
  // The caller handles a failure through `ready`; this keeps it from being reported twice.
  ready.catch(() => {});

  return {
    server,
    address,
    opsAddress: ops?.address,
    ready,
    stop() {
      stopping = true;
      stopped ??= (async () => {
        await server.drain();
        await ready.catch(() => undefined);
        await engine?.close();
        await ops?.close();
        await telemetry?.shutdown();
      })();
      return stopped;
    },
  };
}
