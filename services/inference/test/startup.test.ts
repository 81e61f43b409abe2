// Start-up failures, through the real entry point in a child process: the sidecar must exit
// with a message that names the problem and the variable, not crash inside llama.cpp.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { ensureDefaultModel } from "./helpers.ts";

const MAIN = fileURLToPath(new URL("../src/main.ts", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "inference-startup-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function runSidecar(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN], {
      env: {
        PATH: process.env.PATH ?? "",
        INFERENCE_LISTEN_ADDRESS: `unix:${join(dir, `s-${Math.random().toString(36).slice(2)}.sock`)}`,
        INFERENCE_THREADS: "1",
        INFERENCE_GPU: "off",
        LOG_LEVEL: "silent",
        ...env,
      },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("error", reject);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

test("a missing model file fails start-up naming the file and the variable", async () => {
  const { code, stderr } = await runSidecar({ INFERENCE_MODEL_PATH: join(dir, "absent.gguf") });
  assert.equal(code, 1);
  assert.match(stderr, /INFERENCE_MODEL_PATH: model file not found: .*absent\.gguf/);
});

test("a file that is not GGUF fails start-up", async () => {
  const path = join(dir, "junk.gguf");
  writeFileSync(path, "this is not a model\n".repeat(10));
  const { code, stderr } = await runSidecar({ INFERENCE_MODEL_PATH: path });
  assert.equal(code, 1);
  assert.match(stderr, /INFERENCE_MODEL_PATH: .*junk\.gguf is not a GGUF file/);
});

test("a truncated GGUF fails start-up with llama.cpp's refusal, not a crash", async () => {
  // The real model's first 4 MiB: valid header, missing tensors.
  const path = join(dir, "truncated.gguf");
  const head = Buffer.alloc(4 << 20);
  const fd = openSync(ensureDefaultModel(), "r");
  readSync(fd, head, 0, head.length, 0);
  closeSync(fd);
  writeFileSync(path, head);
  const { code, stderr } = await runSidecar({ INFERENCE_MODEL_PATH: path });
  assert.equal(code, 1);
  assert.match(stderr, /INFERENCE_MODEL_PATH: llama\.cpp could not load .*truncated\.gguf/);
});

test("a model whose sha256 does not match the pinned one fails start-up", async () => {
  const { code, stderr } = await runSidecar({ INFERENCE_MODEL_PATH: ensureDefaultModel(), INFERENCE_MODEL_SHA256: "0".repeat(64) });
  assert.equal(code, 1);
  assert.match(stderr, /INFERENCE_MODEL_PATH: .* has sha256 [0-9a-f]{64}, expected 0{64}/);
});

test("invalid configuration fails start-up naming each variable", async () => {
  const { code, stderr } = await runSidecar({ INFERENCE_SEQUENCES: "zero", INFERENCE_GPU_LAYERS: "lots" });
  assert.equal(code, 2);
  assert.match(stderr, /INFERENCE_SEQUENCES:/);
  assert.match(stderr, /INFERENCE_GPU_LAYERS:/);
});
