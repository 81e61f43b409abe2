import { kafkaConnectionOptions, postgresPoolConfig } from "@liability/platform";
import type { HealthReport, Logger } from "@liability/platform";
import type { WorkerConfig } from "./config.ts";
import { validationPolicyFrom } from "./config.ts";
import { InferenceClient } from "./inference-client.ts";
import { createKafka, KafkajsConsumer, KafkajsProducer } from "./kafkajs-adapter.ts";
import type { KafkaConsumerOptions } from "./kafkajs-adapter.ts";
import type { MessageConsumer, MessageProducer } from "./core/messaging.ts";
import { WorkerMetrics } from "./metrics.ts";
import { OutboxRelay } from "./outbox-relay.ts";
import { PlatformaticConsumer, PlatformaticProducer } from "./platformatic-adapter.ts";
import { BatchProcessor } from "./processor.ts";
import { Recovery } from "./recovery.ts";
import { WorkerStore, workerPoolConfig } from "./store.ts";

export interface Worker {
  /** Resolves once the consumer has joined its group and is fetching. */
  start(): Promise<void>;
  /** Graceful stop: see MessageConsumer.stop; then the relay publishes what is committed. */
  stop(): Promise<void>;
  /**
   * For the readiness probe: consuming (started, not stopping, not paused for a dependency),
   * PostgreSQL answers, the circuit to the sidecar is closed.
   */
  readiness(): Promise<HealthReport>;
  readonly metrics: WorkerMetrics;
}

export interface WorkerParts {
  consumer?: MessageConsumer;
  producer?: MessageProducer;
  metrics?: WorkerMetrics;
}

/** The document consumer's settings, the same for every Kafka client adapter. */
export function consumerOptions(config: WorkerConfig): KafkaConsumerOptions {
  return {
    groupId: config.KAFKA_CONSUMER_GROUP,
    topic: config.KAFKA_TOPIC_DOCUMENTS,
    fromBeginning: config.KAFKA_FROM_BEGINNING,
    sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
    heartbeatIntervalMs: config.KAFKA_HEARTBEAT_INTERVAL_MS,
    maxBytesPerPartition: config.KAFKA_MAX_BYTES_PER_PARTITION,
    partitionsConsumedConcurrently: config.KAFKA_PARTITIONS_CONSUMED_CONCURRENTLY,
    maxWaitTimeMs: config.KAFKA_MAX_WAIT_MS,
  };
}

/** The consumer and producer of the Kafka client library KAFKA_CLIENT names. */
function kafkaClients(config: WorkerConfig, logger: Logger): { consumer: MessageConsumer; producer: MessageProducer } {
  const connection = kafkaConnectionOptions(config);
  if (config.KAFKA_CLIENT === "platformatic") {
    return {
      consumer: new PlatformaticConsumer(connection, consumerOptions(config), logger),
      producer: new PlatformaticProducer(connection),
    };
  }
  const kafka = createKafka(connection, logger);
  return { consumer: new KafkajsConsumer(kafka, consumerOptions(config), logger), producer: new KafkajsProducer(kafka) };
}

/** Wires the worker from validated configuration. Nothing here reads the environment. */
export function createWorker(config: WorkerConfig, logger: Logger, parts: WorkerParts = {}): Worker {
  const metrics = parts.metrics ?? new WorkerMetrics();
  const clients = parts.consumer && parts.producer ? undefined : kafkaClients(config, logger);
  const producer = parts.producer ?? clients!.producer;
  const consumer = parts.consumer ?? clients!.consumer;
  const store = new WorkerStore(workerPoolConfig(postgresPoolConfig(config, "lre-worker"), config.DATABASE_SCHEMA));
  metrics.watchStore(store, "lre-worker");
  const inference = new InferenceClient(
    {
      address: config.INFERENCE_ADDRESS,
      tls: config.INFERENCE_TLS_CA_FILE
        ? {
            caFile: config.INFERENCE_TLS_CA_FILE,
            certFile: config.INFERENCE_TLS_CERT_FILE,
            keyFile: config.INFERENCE_TLS_KEY_FILE,
            serverName: config.INFERENCE_TLS_SERVER_NAME,
          }
        : undefined,
      deadlineMs: config.INFERENCE_DEADLINE_MS,
      concurrency: config.INFERENCE_CONCURRENCY,
      maxAttempts: config.INFERENCE_MAX_ATTEMPTS,
      retryInitialMs: config.INFERENCE_RETRY_INITIAL_MS,
      retryMaxMs: config.INFERENCE_RETRY_MAX_MS,
      breakerThreshold: config.INFERENCE_BREAKER_THRESHOLD,
      breakerHalfOpenMs: config.INFERENCE_BREAKER_HALF_OPEN_MS,
      batchDocuments: config.INFERENCE_BATCH_DOCUMENTS,
    },
    logger,
    { onRetry: (code) => metrics.retries.add(1, { code }) },
  );
  const relay = new OutboxRelay({
    source: store,
    producer,
    batchSize: config.OUTBOX_BATCH_SIZE,
    pollIntervalMs: config.OUTBOX_POLL_INTERVAL_MS,
    leaseMs: config.OUTBOX_LEASE_MS,
    maxAttempts: config.OUTBOX_MAX_ATTEMPTS,
    retentionMs: config.OUTBOX_RETENTION_HOURS * 3_600_000,
    pruneIntervalMs: config.OUTBOX_PRUNE_INTERVAL_MS,
    logger,
    metrics,
  });
  const recovery = new Recovery({
    consumer,
    intervalMs: config.DEPENDENCY_PROBE_INTERVAL_MS,
    logger,
    metrics,
    probes: {
      inference: () => inference.probe(),
      database: () => store.ping(),
      // Both clients reconnect by themselves; waiting one probe interval is the back-off.
      kafka: async () => true,
      internal: async () => true,
    },
  });
  const processor = new BatchProcessor({
    store,
    extractor: inference,
    producer,
    policy: validationPolicyFrom(config),
    reviewShadowShare: config.REVIEW_SHADOW_SHARE,
    limits: { maxTextBytes: config.MAX_DOCUMENT_BYTES, tenants: config.TENANT_ALLOWLIST },
    maxDocumentTimeouts: config.INFERENCE_MAX_DOCUMENT_TIMEOUTS,
    topics: { dlq: config.KAFKA_TOPIC_DLQ, recorded: config.KAFKA_TOPIC_LIABILITY_RECORDED },
    heartbeatIntervalMs: config.KAFKA_HEARTBEAT_INTERVAL_MS,
    logger,
    metrics,
    onDependencyDown: (dependency) => recovery.reportDown(dependency),
    onCommitted: () => relay.wake(),
  });

  let started = false;
  let stopping: Promise<void> | undefined;
  return {
    metrics,
    async start() {
      await producer.connect();
      relay.start();
      await consumer.start((batch, ctx) => processor.handle(batch, ctx));
      started = true;
      logger.info({ topic: config.KAFKA_TOPIC_DOCUMENTS, group: config.KAFKA_CONSUMER_GROUP }, "worker started");
    },
    async readiness() {
      const checks = {
        consuming: started && stopping === undefined && recovery.down.length === 0,
        database: await store.ping(),
        inference_circuit_closed: !inference.circuitOpen,
      };
      return { ready: Object.values(checks).every(Boolean), checks };
    },
    stop() {
      stopping ??= (async () => {
        logger.info({ graceMs: config.SHUTDOWN_GRACE_MS }, "worker stopping");
        recovery.stop();
        await consumer.stop(config.SHUTDOWN_GRACE_MS);
        await relay.stop();
        await producer.disconnect().catch(() => {});
        inference.close();
        await store.end().catch(() => {});
        logger.info("worker stopped");
      })();
      return stopping;
    },
  };
}
