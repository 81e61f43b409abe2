import { readFileSync } from "node:fs";
import { z } from "zod";
import { envBoolean, envList } from "./config.ts";

/** Environment variables shared by every Kafka client; TLS and SASL/SCRAM are configuration only. */
export const kafkaConfigSchema = z
  .object({
    KAFKA_BROKERS: envList.default(["127.0.0.1:19092"]),
    KAFKA_CLIENT_ID: z.string().default("liability-extraction"),
    KAFKA_TLS: envBoolean.default(false),
    KAFKA_TLS_CA_FILE: z.string().optional(),
    KAFKA_SASL_MECHANISM: z.enum(["scram-sha-256", "scram-sha-512", "plain"]).optional(),
    KAFKA_SASL_USERNAME: z.string().optional(),
    KAFKA_SASL_PASSWORD: z.string().optional(),
  })
  .superRefine((c, ctx) => {
    if (c.KAFKA_SASL_MECHANISM && (!c.KAFKA_SASL_USERNAME || !c.KAFKA_SASL_PASSWORD)) {
      ctx.addIssue({
        code: "custom",
        path: ["KAFKA_SASL_USERNAME"],
        message: "KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD are required when KAFKA_SASL_MECHANISM is set",
      });
    }
    // PLAIN sends the password as it is: only inside TLS.
    if (c.KAFKA_SASL_MECHANISM === "plain" && !c.KAFKA_TLS) {
      ctx.addIssue({ code: "custom", path: ["KAFKA_SASL_MECHANISM"], message: "SASL PLAIN sends the password in clear text: it needs KAFKA_TLS=true" });
    }
  });

export type KafkaConfig = z.infer<typeof kafkaConfigSchema>;

export interface KafkaConnectionOptions {
  clientId: string;
  brokers: string[];
  ssl: boolean | { ca: Buffer[] };
  sasl?: { mechanism: "scram-sha-256" | "scram-sha-512" | "plain"; username: string; password: string };
}

/** Connection options in the shape the common Node Kafka clients accept. */
export function kafkaConnectionOptions(config: KafkaConfig): KafkaConnectionOptions {
  const options: KafkaConnectionOptions = {
    clientId: config.KAFKA_CLIENT_ID,
    brokers: config.KAFKA_BROKERS,
    ssl: config.KAFKA_TLS ? (config.KAFKA_TLS_CA_FILE ? { ca: [readFileSync(config.KAFKA_TLS_CA_FILE)] } : true) : false,
  };
  if (config.KAFKA_SASL_MECHANISM) {
    options.sasl = {
      mechanism: config.KAFKA_SASL_MECHANISM,
      username: config.KAFKA_SASL_USERNAME ?? "",
      password: config.KAFKA_SASL_PASSWORD ?? "",
    };
  }
  return options;
}
