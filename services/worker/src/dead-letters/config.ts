import { z } from "zod";
import { kafkaConfigSchema, loadConfig, postgresConfigSchema } from "@liability/platform";
import { workerSettingsSchema } from "../config.ts";

/**
 * The CLI's environment: the platform's Kafka and PostgreSQL variables and the worker's topic
 * names and schema, spelled as the worker spells them, so that the worker's own environment (or
 * its Helm values) points the CLI at the same topics. DATABASE_URL must be a login in
 * lre_replayer, not the worker's: the worker may not write the replay ledger.
 */
export const deadLetterCliConfigSchema = z
  .object({
    ...kafkaConfigSchema.shape,
    ...postgresConfigSchema.shape,
    ...workerSettingsSchema.pick({ KAFKA_TOPIC_DOCUMENTS: true, KAFKA_TOPIC_DLQ: true, KAFKA_CLIENT: true, DATABASE_SCHEMA: true }).shape,
  })
  .refine((c) => c.KAFKA_TOPIC_DOCUMENTS !== c.KAFKA_TOPIC_DLQ, {
    path: ["KAFKA_TOPIC_DLQ"],
    message: "must differ from KAFKA_TOPIC_DOCUMENTS: a replay would feed the dead letters back to themselves",
  });

export type DeadLetterCliConfig = z.infer<typeof deadLetterCliConfigSchema>;

/** Reads and validates the environment once, naming every bad variable (values never echoed). */
export function loadDeadLetterCliConfig(env: Readonly<Record<string, string | undefined>> = process.env): DeadLetterCliConfig {
  // The platform's schemas carry cross-field rules; check them on their own first.
  loadConfig(kafkaConfigSchema, env);
  loadConfig(postgresConfigSchema, env);
  return loadConfig(deadLetterCliConfigSchema, env);
}
