// The worker as an operating-system process: configuration from the environment (exit 2 on a
// bad variable), telemetry, graceful stop on SIGTERM/SIGINT, exit 1 when start-up fails.
// services/worker/src/main.ts runs it as is; variants (the load test's Kafka-client comparison)
// pass their own parts.
import { ConfigError, createLogger, startOpsServer, startTelemetry, type Logger, type OpsServer } from "@liability/platform";
import { loadWorkerConfig, type WorkerConfig } from "./config.ts";
import { createWorker, type WorkerParts } from "./worker.ts";

export type BuildWorkerParts = (config: WorkerConfig, logger: Logger) => WorkerParts;

export async function runWorkerProcess(buildParts: BuildWorkerParts = () => ({})): Promise<void> {
  let config: WorkerConfig;
  try {
    config = loadWorkerConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }

  const logger = createLogger({ service: "lre-worker", level: config.LOG_LEVEL });
  const telemetry = startTelemetry({ serviceName: "lre-worker", config });
  const worker = createWorker(config, logger, buildParts(config, logger));
  let ops: OpsServer | undefined;
  if (config.METRICS_PORT !== undefined) {
    ops = await startOpsServer({ host: config.METRICS_HOST, port: config.METRICS_PORT, prometheus: telemetry.prometheus, readiness: () => worker.readiness() });
    logger.info({ address: ops.address }, "operations endpoint: /metrics, /livez, /readyz");
  }

  let signalled = false;
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.on(signal, () => {
      if (signalled) return;
      signalled = true;
      logger.info({ signal }, "shutdown requested");
      worker
        .stop()
        .then(() => ops?.close())
        .then(() => telemetry.shutdown())
        .then(
          () => process.exit(0),
          (err: unknown) => {
            logger.error({ err }, "shutdown failed");
            process.exit(1);
          },
        );
    });
  }

  process.on("unhandledRejection", (err) => {
    // Logged, not fatal: every path that matters handles its own errors, and a crash would
    // only turn an odd promise into a restart with redelivery.
    logger.error({ err }, "unhandled rejection");
  });

  try {
    await worker.start();
  } catch (err) {
    logger.fatal({ err }, "worker failed to start");
    await worker.stop().catch(() => {});
    await ops?.close();
    await telemetry.shutdown();
    process.exit(1);
  }
}
