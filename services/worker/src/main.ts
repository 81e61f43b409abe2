// The worker process: `node services/worker/src/main.ts`. Configuration comes from the
// environment (see config.ts); SIGTERM and SIGINT stop it gracefully.
import { createLogger, startTelemetry } from "@liability/platform";
import { ConfigError } from "@liability/platform";
import { loadWorkerConfig } from "./config.ts";
import { createWorker } from "./worker.ts";

let config;
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
const worker = createWorker(config, logger);

let signalled = false;
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    if (signalled) return;
    signalled = true;
    logger.info({ signal }, "shutdown requested");
    worker
      .stop()
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
  await telemetry.shutdown();
  process.exit(1);
}
