// The extraction worker with a chosen Kafka client library, for the load test's client
// comparison (issue 7). Same wiring as services/worker/src/main.ts, except that the consumer
// and producer come from the adapter named by LOADTEST_KAFKA_CLIENT:
//   kafkajs       services/worker/src/kafkajs-adapter.ts (the worker's default)
//   platformatic  services/worker/src/platformatic-adapter.ts (@platformatic/kafka)
// The worker's createWorker() accepts injected parts, so no worker file changes for this.
import { z } from "zod";
import { ConfigError, createLogger, kafkaConnectionOptions, loadConfig, startTelemetry } from "@liability/platform";
import { loadWorkerConfig } from "../../services/worker/src/config.ts";
import { PlatformaticConsumer, PlatformaticProducer } from "../../services/worker/src/platformatic-adapter.ts";
import { createWorker, type WorkerParts } from "../../services/worker/src/worker.ts";

let config;
let variant;
try {
  config = loadWorkerConfig();
  variant = loadConfig(z.object({ LOADTEST_KAFKA_CLIENT: z.enum(["kafkajs", "platformatic"]).default("kafkajs") }));
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  throw error;
}

const logger = createLogger({ service: "lre-worker", level: config.LOG_LEVEL });
const telemetry = startTelemetry({ serviceName: "lre-worker", config });
const parts: WorkerParts = {};
if (variant.LOADTEST_KAFKA_CLIENT === "platformatic") {
  const connection = kafkaConnectionOptions(config);
  parts.consumer = new PlatformaticConsumer(
    connection,
    {
      groupId: config.KAFKA_CONSUMER_GROUP,
      topic: config.KAFKA_TOPIC_DOCUMENTS,
      fromBeginning: config.KAFKA_FROM_BEGINNING,
      sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
      heartbeatIntervalMs: config.KAFKA_HEARTBEAT_INTERVAL_MS,
      maxBytesPerPartition: config.KAFKA_MAX_BYTES_PER_PARTITION,
      partitionsConsumedConcurrently: config.KAFKA_PARTITIONS_CONSUMED_CONCURRENTLY,
    },
    logger,
  );
  parts.producer = new PlatformaticProducer(connection);
}
const worker = createWorker(config, logger, parts);
logger.info({ kafkaClient: variant.LOADTEST_KAFKA_CLIENT }, "worker variant for the load test");

let signalled = false;
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    if (signalled) return;
    signalled = true;
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
process.on("unhandledRejection", (err) => logger.error({ err }, "unhandled rejection"));

try {
  await worker.start();
} catch (err) {
  logger.fatal({ err }, "worker failed to start");
  await worker.stop().catch(() => {});
  await telemetry.shutdown();
  process.exit(1);
}
