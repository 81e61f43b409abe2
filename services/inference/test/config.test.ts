import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError } from "@liability/platform";
import { existsSync } from "node:fs";
import { DEFAULT_LISTEN_ADDRESS, DEFAULT_LORA_PATH, loadInferenceConfig } from "../src/config.ts";

test("defaults: Unix socket, CPU-friendly settings", () => {
  const c = loadInferenceConfig({});
  assert.equal(c.INFERENCE_LISTEN_ADDRESS, DEFAULT_LISTEN_ADDRESS);
  assert.ok(c.INFERENCE_LISTEN_ADDRESS.startsWith("unix:"));
  assert.equal(c.INFERENCE_CONFIDENCE, true);
  assert.ok(c.INFERENCE_THREADS >= 1);
});

test("errors name the variable", () => {
  assert.throws(
    () => loadInferenceConfig({ INFERENCE_SEQUENCES: "many", INFERENCE_LISTEN_ADDRESS: "nowhere", INFERENCE_MODEL_SHA256: "abc" }),
    (e: unknown) =>
      e instanceof ConfigError &&
      e.issues.some((i) => i.startsWith("INFERENCE_SEQUENCES:")) &&
      e.issues.some((i) => i.startsWith("INFERENCE_LISTEN_ADDRESS:")) &&
      e.issues.some((i) => i.startsWith("INFERENCE_MODEL_SHA256:")),
  );
  assert.throws(
    () => loadInferenceConfig({ INFERENCE_TLS_CERT_FILE: "/x.pem" }),
    (e: unknown) => e instanceof ConfigError && e.issues.some((i) => i.startsWith("INFERENCE_TLS_KEY_FILE:")),
  );
});

test("TCP with TLS is accepted", () => {
  const c = loadInferenceConfig({
    INFERENCE_LISTEN_ADDRESS: "0.0.0.0:50051",
    INFERENCE_TLS_CERT_FILE: "/c.pem",
    INFERENCE_TLS_KEY_FILE: "/k.pem",
  });
  assert.equal(c.INFERENCE_LISTEN_ADDRESS, "0.0.0.0:50051");
});

test("the shipped fine-tuned adapter is the default; none serves the base model alone", () => {
  assert.equal(loadInferenceConfig({}).INFERENCE_LORA_PATH, DEFAULT_LORA_PATH);
  assert.ok(existsSync(DEFAULT_LORA_PATH), "the adapter ships with the repository");
  assert.equal(loadInferenceConfig({ INFERENCE_LORA_PATH: "none" }).INFERENCE_LORA_PATH, undefined);
});
