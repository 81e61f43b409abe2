// The extraction worker with a chosen Kafka client library, for the load test's client
// comparison (issue 7). The same process as services/worker/src/main.ts, except that the
// consumer and producer come from the adapter named by LOADTEST_KAFKA_CLIENT:
//   kafkajs       services/worker/src/kafkajs-adapter.ts (the worker's default)
//   platformatic  services/worker/src/platformatic-adapter.ts (@platformatic/kafka)
import { z } from "zod";
import { ConfigError, kafkaConnectionOptions, loadConfig } from "@liability/platform";
import { PlatformaticConsumer, PlatformaticProducer } from "../../services/worker/src/platformatic-adapter.ts";
import { runWorkerProcess } from "../../services/worker/src/process.ts";
import { consumerOptions } from "../../services/worker/src/worker.ts";

let variant;
try {
  variant = loadConfig(z.object({ LOADTEST_KAFKA_CLIENT: z.enum(["kafkajs", "platformatic"]).default("kafkajs") }));
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  throw error;
}
const kafkaClient = variant.LOADTEST_KAFKA_CLIENT;

await runWorkerProcess((config, logger) => {
  logger.info({ kafkaClient }, "worker variant for the load test");
  if (kafkaClient !== "platformatic") return {};
  const connection = kafkaConnectionOptions(config);
  return {
    // The platformatic adapter has its own fetch wait and ignores maxWaitTimeMs.
    consumer: new PlatformaticConsumer(connection, consumerOptions(config), logger),
    producer: new PlatformaticProducer(connection),
  };
});
