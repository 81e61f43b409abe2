// The worker's channel to the sidecar over TCP with mutual TLS, against the real sidecar process:
// with the worker's certificate a document is extracted; without it, or without TLS, the sidecar
// refuses the connection, and a worker that is given a client certificate but no CA to check the
// sidecar against does not start. Certificates are made here with openssl.
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { InferenceClient, loadWorkerConfig } from "@liability/worker";
import type { InferenceClientOptions } from "@liability/worker";
import { examples, freePort, testLogger, waitFor, workerTestContext } from "./support/env.ts";

const MODEL = fileURLToPath(new URL("../../.cache/models/SmolLM2-135M-Instruct.Q4_1.gguf", import.meta.url));
const SIDECAR = fileURLToPath(new URL("../../services/inference/src/main.ts", import.meta.url));
const enabled = process.env.LRE_TEST_REAL_SIDECAR !== "false" && existsSync(MODEL);
const dir = mkdtempSync(join(tmpdir(), "sidecar-tls-"));
const file = (name: string) => join(dir, name);
let sidecar: ChildProcess | undefined;
let address = "";

function openssl(...args: string[]): void {
  execFileSync("openssl", args, { stdio: "ignore" });
}

/** A CA, a server certificate for localhost and a client certificate, all signed by the CA. */
function makeCertificates(): void {
  openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=test-ca", "-keyout", file("ca.key"), "-out", file("ca.pem"));
  writeFileSync(file("server.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
  for (const [name, ext] of [
    ["server", ["-extfile", file("server.ext")]],
    ["client", []],
  ] as const) {
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", `/CN=${name}`, "-keyout", file(`${name}.key`), "-out", file(`${name}.csr`));
    openssl(
      "x509",
      "-req",
      "-in",
      file(`${name}.csr`),
      "-CA",
      file("ca.pem"),
      "-CAkey",
      file("ca.key"),
      "-CAcreateserial",
      "-days",
      "2",
      "-out",
      file(`${name}.pem`),
      ...ext,
    );
  }
}

function client(tls: InferenceClientOptions["tls"]): InferenceClient {
  return new InferenceClient(
    {
      address,
      tls,
      deadlineMs: 120_000,
      concurrency: 1,
      maxAttempts: 1,
      retryInitialMs: 50,
      retryMaxMs: 100,
      breakerThreshold: 100,
      breakerHalfOpenMs: 100,
      batchDocuments: 1,
    },
    testLogger(),
  );
}

before(async () => {
  if (!enabled) return;
  makeCertificates();
  address = `localhost:${await freePort()}`;
  sidecar = spawn(process.execPath, [SIDECAR], {
    env: {
      ...process.env,
      INFERENCE_LISTEN_ADDRESS: address,
      INFERENCE_TLS_CERT_FILE: file("server.pem"),
      INFERENCE_TLS_KEY_FILE: file("server.key"),
      INFERENCE_TLS_CA_FILE: file("ca.pem"),
      INFERENCE_SEQUENCES: "1",
      LOG_LEVEL: "warn",
    },
    stdio: "ignore",
  });
});

after(async () => {
  if (sidecar && sidecar.exitCode === null) {
    const exited = new Promise((r) => sidecar!.once("exit", r));
    sidecar.kill("SIGTERM");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    if (sidecar.exitCode === null) sidecar.kill("SIGKILL");
  }
  rmSync(dir, { recursive: true, force: true });
});

test("mutual TLS to the sidecar: the worker's certificate is required, and with it a document is extracted", {
  skip: !enabled && "no base model (run infra/models/fetch-base-model.sh) or LRE_TEST_REAL_SIDECAR=false",
}, async () => {
  const trusted = client({ caFile: file("ca.pem"), certFile: file("client.pem"), keyFile: file("client.key") });
  const anonymous = client({ caFile: file("ca.pem") });
  const plain = client(undefined);
  try {
    await waitFor("the sidecar serving over mTLS", () => trusted.probe(2_000), 180_000, 500);
    const example = examples[0]!;
    const outcome = await trusted.extract({ documentId: "tls-1", kind: example.kind, text: example.text }, new AbortController().signal);
    assert.equal(outcome.kind, "ok");
    assert.ok(outcome.kind === "ok" && outcome.response.rawOutput.length > 0);

    assert.equal(await anonymous.probe(2_000), false, "no client certificate: refused");
    assert.equal(await plain.probe(2_000), false, "no TLS: refused");
  } finally {
    for (const c of [trusted, anonymous, plain]) c.close();
  }
});

test("the worker's TLS settings are checked at start-up", async () => {
  const ctx = await workerTestContext();
  try {
    assert.throws(() => loadWorkerConfig(ctx.env({ INFERENCE_TLS_CERT_FILE: "/c.pem", INFERENCE_TLS_KEY_FILE: "/c.key" })), /INFERENCE_TLS_CA_FILE/);
    assert.throws(() => loadWorkerConfig(ctx.env({ INFERENCE_TLS_CA_FILE: "/ca.pem", INFERENCE_TLS_CERT_FILE: "/c.pem" })), /INFERENCE_TLS_KEY_FILE/);
    assert.equal(loadWorkerConfig(ctx.env({ INFERENCE_TLS_CA_FILE: "/ca.pem" })).INFERENCE_TLS_CA_FILE, "/ca.pem");
  } finally {
    await ctx.cleanup();
  }
});
