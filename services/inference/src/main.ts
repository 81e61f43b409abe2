// Entry point of the inference sidecar: `node services/inference/src/main.ts` (npm run sidecar).
import { ConfigError, createLogger } from "@liability/platform";
import { loadInferenceConfig, type InferenceConfig } from "./config.ts";
import { StartupError } from "./model-files.ts";
import { startSidecar } from "./sidecar.ts";

function fail(message: string, exitCode: number): never {
  // Plain stderr as well as the JSON log: this is what an operator reads when the pod crash-loops.
  process.stderr.write(`inference sidecar failed to start: ${message}\n`);
  process.exit(exitCode);
}

let config: InferenceConfig;
try {
  config = loadInferenceConfig();
} catch (error) {
  if (error instanceof ConfigError) fail(error.message, 2);
  throw error;
}

const logger = createLogger({ service: "inference", level: config.LOG_LEVEL });
const sidecar = await startSidecar(config, { logger }).catch((error: Error) => {
  logger.fatal({ err: error }, "start-up failed");
  fail(error.message, 1);
});

let stopping = false;
const shutdown = (signal: string) => {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, "draining");
  sidecar.stop().then(
    () => {
      logger.info("stopped");
      process.exit(0);
    },
    (error: unknown) => {
      logger.error({ err: error }, "shutdown failed");
      process.exit(1);
    },
  );
};
process.on("SIGTERM", () => shutdown("SIGTERM"));
process.on("SIGINT", () => shutdown("SIGINT"));

try {
  await sidecar.ready;
} catch (error) {
  logger.fatal({ err: error }, "start-up failed");
  await sidecar.stop().catch(() => {});
  fail(error instanceof StartupError ? error.message : `${(error as Error).message}`, 1);
}
