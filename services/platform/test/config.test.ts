import assert from "node:assert/strict";
import { test } from "node:test";
import { z } from "zod";
import { ConfigError, envBoolean, envList, envPositiveInt, loadConfig } from "../src/config.ts";
import { kafkaConfigSchema, kafkaConnectionOptions } from "../src/kafka-config.ts";
import { postgresConfigSchema, postgresPoolConfig } from "../src/postgres-config.ts";

const schema = z.object({
  PORT: envPositiveInt.default(8080),
  VERBOSE: envBoolean.default(false),
  BROKERS: envList,
});

test("valid environment is parsed into typed values with defaults", () => {
  const config = loadConfig(schema, { BROKERS: "a:1, b:2", VERBOSE: "yes" });
  assert.deepEqual(config, { PORT: 8080, VERBOSE: true, BROKERS: ["a:1", "b:2"] });
});

test("every bad variable is named in one error, and values are not echoed", () => {
  let error: unknown;
  try {
    loadConfig(schema, { PORT: "-3", VERBOSE: "maybe-s3cret" });
  } catch (e) {
    error = e;
  }
  assert.ok(error instanceof ConfigError);
  const names = error.issues.map((line) => line.split(":")[0]);
  assert.deepEqual(names.sort(), ["BROKERS", "PORT", "VERBOSE"]);
  assert.doesNotMatch(error.message, /s3cret/);
});

test("an empty variable counts as unset, so defaults apply", () => {
  assert.equal(loadConfig(schema, { PORT: "", BROKERS: "x:1" }).PORT, 8080);
});

test("Kafka SASL/SCRAM and TLS are configuration", () => {
  const config = loadConfig(kafkaConfigSchema, {
    KAFKA_BROKERS: "k1:9093,k2:9093",
    KAFKA_TLS: "true",
    KAFKA_SASL_MECHANISM: "scram-sha-512",
    KAFKA_SASL_USERNAME: "svc",
    KAFKA_SASL_PASSWORD: "pw",
  });
  const options = kafkaConnectionOptions(config);
  assert.deepEqual(options.brokers, ["k1:9093", "k2:9093"]);
  assert.equal(options.ssl, true);
  assert.deepEqual(options.sasl, { mechanism: "scram-sha-512", username: "svc", password: "pw" });
});

test("a SASL mechanism without credentials is rejected, naming the variable", () => {
  assert.throws(
    () => loadConfig(kafkaConfigSchema, { KAFKA_SASL_MECHANISM: "scram-sha-256" }),
    (e: unknown) => e instanceof ConfigError && e.issues.some((l) => l.startsWith("KAFKA_SASL_USERNAME:")),
  );
});

test("PostgreSQL TLS modes map to the driver's options", () => {
  const base = { DATABASE_URL: "postgres://u:p@db:5432/x" };
  assert.equal(postgresPoolConfig(loadConfig(postgresConfigSchema, base), "t").ssl, false);
  const verify = postgresPoolConfig(loadConfig(postgresConfigSchema, { ...base, DATABASE_TLS: "verify-full" }), "t");
  assert.deepEqual(verify.ssl, { rejectUnauthorized: true });
  assert.throws(() => loadConfig(postgresConfigSchema, { DATABASE_URL: "mysql://x" }), /DATABASE_URL/);
});

test("SASL PLAIN without TLS is refused: it would send the password in clear text", () => {
  const plain = { KAFKA_SASL_MECHANISM: "plain", KAFKA_SASL_USERNAME: "svc", KAFKA_SASL_PASSWORD: "pw" };
  assert.throws(
    () => loadConfig(kafkaConfigSchema, plain),
    (e: unknown) => e instanceof ConfigError && e.issues.some((l) => l.startsWith("KAFKA_SASL_MECHANISM:")),
  );
  assert.equal(loadConfig(kafkaConfigSchema, { ...plain, KAFKA_TLS: "true" }).KAFKA_SASL_MECHANISM, "plain");
});

test("outside the local profile the local database password and a plain connection are refused at start-up", () => {
  const production = { DEPLOYMENT_PROFILE: "production" };
  assert.throws(
    () => loadConfig(postgresConfigSchema, production),
    (e: unknown) => e instanceof ConfigError && e.issues.some((l) => l.startsWith("DATABASE_URL:")) && e.issues.some((l) => l.startsWith("DATABASE_TLS:")),
  );
  const given = loadConfig(postgresConfigSchema, {
    ...production,
    DATABASE_URL: "postgres://lre_worker:s3cret@db:5432/liability",
    DATABASE_TLS: "verify-full",
  });
  assert.equal(postgresPoolConfig(given, "t").connectionString, "postgres://lre_worker:s3cret@db:5432/liability");
  // The local profile keeps its defaults, so the local stack needs no settings.
  assert.equal(loadConfig(postgresConfigSchema, {}).DEPLOYMENT_PROFILE, "local");
});
