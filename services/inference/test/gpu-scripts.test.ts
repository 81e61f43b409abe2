// The GPU build-and-bench scripts (services/inference/gpu, bench/gpu-bench.ts), every step that
// runs without a GPU: pack → unpack → join round trip, corrupt and missing parts refused, the
// carry plan under the device's 64 MiB per call, build-cuda.sh's arguments and CPU path (cmake
// command, placing a binary where node-llama-cpp looks for a local build, loading it through
// getLlama({ build: "never" })), and the benchmark at tiny scale on CPU producing a full report.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { moduleClosure } from "../gpu/modules.ts";
import { MIB, planCalls, type Plan } from "../gpu/plan.ts";
import { chooseSetting, type SweepResult } from "../bench/gpu-report.ts";
import { ensureDefaultModel, REPO_ROOT } from "./helpers.ts";

const GPU = join(REPO_ROOT, "services/inference/gpu");
const tmp = mkdtempSync(join(tmpdir(), "gpu-scripts-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

const env = { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ""}` };
function sh(script: string, args: string[], extraEnv: Record<string, string> = {}, timeoutMs = 120_000) {
  const r = spawnSync("bash", [join(GPU, script), ...args], { env: { ...env, ...extraEnv }, encoding: "utf8", timeout: timeoutMs });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
/** Two short documents: the bench's CPU run stays within seconds. */
const TINY_DOCS = [
  { id: "tiny-statement", kind: "statement", text: "RIVERBEND BANK\nAuto Loan Statement\nStatement Date: 02/03/2026\nPrincipal Balance $8,120.55\n" },
  { id: "tiny-call", kind: "call_transcript", text: "REP: Harbor Card Services.\nREP: The current balance is $2,410.08.\n" },
]
  .map((d) => `${JSON.stringify(d)}\n`)
  .join("");
const sha = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

describe("module closure", () => {
  test("holds what the sidecar imports, links the workspace packages, leaves out prebuilt binaries", () => {
    const list = moduleClosure(REPO_ROOT);
    for (const p of [
      "node_modules/node-llama-cpp",
      "node_modules/@grpc/grpc-js",
      "node_modules/zod",
      "node_modules/pino",
      "node_modules/node-addon-api",
      "node_modules/node-api-headers",
      "node_modules/@liability/contracts",
      "node_modules/@liability/domain",
      "node_modules/@liability/platform",
    ]) {
      assert.ok(list.includes(p), `${p} is in the closure`);
    }
    assert.ok(!list.some((p) => p.startsWith("node_modules/@node-llama-cpp/") || p === "node_modules/typescript" || p.startsWith("node_modules/@types/")));
  });
});

describe("carry plan", () => {
  const sizes = { tree: 13 * MIB, node: 29_729_712, modules: 2_934_560, llama: 3_678_848, docs: 288_812, part: 49_181_216 };
  const input = {
    treeBytes: sizes.tree,
    limitBytes: 64 * MIB,
    marginBytes: 3 * MIB,
    build: [
      { file: "node-linux-x64.xz", bytes: sizes.node },
      { file: "node.sha256", bytes: 71 },
      { file: "node_modules.tar.xz", bytes: sizes.modules },
      { file: "llama-src.tar.xz", bytes: sizes.llama },
      { file: "documents.jsonl", bytes: sizes.docs },
    ],
    parts: [1, 2].map((i) => ({ file: `m.gguf.part-0${i}-of-02`, bytes: sizes.part })),
    partSidecars: [{ file: "m.gguf.sha256", bytes: 80 }],
    carryDir: ".cache/gpu-carry",
  };

  test("today's artifacts: three calls, each under 64 MiB with the working tree; the build starts first, the bench runs last", () => {
    const plan = planCalls(input);
    assert.equal(plan.calls.length, 3);
    for (const c of plan.calls) assert.ok(c.totalBytes < 64 * MIB - 3 * MIB, `call ${c.call}: ${c.totalBytes}`);
    assert.deepEqual(
      plan.calls[0]!.files.map((f) => f.file),
      input.build.map((f) => f.file),
    );
    assert.match(plan.calls[0]!.command, /unpack build --detach$/);
    assert.deepEqual(
      plan.calls[1]!.files.map((f) => f.file),
      ["m.gguf.part-01-of-02", "m.gguf.sha256"],
    );
    assert.match(plan.calls[2]!.command, /unpack join wait check && bash services\/inference\/gpu\/run-bench\.sh --deadline-at/);
    assert.ok(plan.calls[2]!.timeoutS <= 600);
    assert.ok(plan.calls.every((c) => c.command.length < 2000));
  });

  test("what does not fit is refused with the sizes", () => {
    assert.throws(() => planCalls({ ...input, treeBytes: 40 * MIB }), /build inputs .* need/);
    assert.throws(() => planCalls({ ...input, parts: [{ file: "m.gguf.part-01-of-01", bytes: 60 * MIB }] }), /does not fit one call/);
    assert.throws(() => planCalls({ ...input, treeBytes: 62 * MIB }), /leaves no room/);
  });

  test("small enough for one call: the build runs in the foreground before the bench", () => {
    const plan = planCalls({ ...input, build: [{ file: "node_modules.tar.xz", bytes: MIB }], parts: [{ file: "m.gguf.part-01-of-01", bytes: MIB }] });
    assert.equal(plan.calls.length, 1);
    assert.match(plan.calls[0]!.command, /unpack join build check && /);
  });

  test("chooseSetting: fastest under the p99 target, never one that truncates more", () => {
    const r = (sequences: number, contextSize: number, docsPerS: number, p99: number, truncated = 0): SweepResult =>
      ({
        sequences,
        contextSize,
        docsPerS,
        requests: 100,
        errors: 0,
        truncated,
        latencyMs: { p50: p99 / 2, p95: p99, p99, mean: p99 / 2, max: p99 },
      }) as SweepResult;
    const choice = chooseSetting([r(32, 4096, 100, 120), r(64, 4096, 180, 190), r(128, 4096, 260, 240), r(64, 2048, 200, 150, 3)], 200);
    assert.deepEqual(choice.best, { sequences: 64, contextSize: 4096, docsPerS: 180, p99Ms: 190 });
    assert.equal(chooseSetting([r(128, 4096, 260, 240)], 200).best, null);
  });
});

describe("pack → build-cuda.sh on CPU", () => {
  const carry = join(tmp, "carry");
  const root = join(tmp, "root");
  const gguf = join(tmp, "tiny.gguf");
  let plan: Plan;

  before(() => {
    // A 2.5 MiB stand-in for the GGUF (three 1 MiB parts) and a stand-in Node binary (a script
    // that runs this Node), so that packing takes seconds; node_modules and llama.cpp are the real ones.
    writeFileSync(gguf, Buffer.concat([Buffer.from("GGUF"), createHash("sha512").update("x").digest(), Buffer.alloc(Math.floor(2.5 * MIB), 7)]));
    const fakeNode = join(tmp, "node");
    writeFileSync(fakeNode, `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} "$@"\n`);
    chmodSync(fakeNode, 0o755);
    writeFileSync(join(tmp, "docs.jsonl"), TINY_DOCS);
    const r = sh(
      "pack.sh",
      ["--out", carry, "--gguf", gguf, "--node", fakeNode, "--docs", join(tmp, "docs.jsonl"), "--part-mib", "1", "--xz-level", "0"],
      {},
      300_000,
    );
    assert.equal(r.code, 0, r.stderr);
    plan = JSON.parse(readFileSync(join(carry, "plan.json"), "utf8")) as Plan;
    mkdirSync(root);
  });

  test("pack writes call folders with checksums; every call fits the limit", () => {
    assert.ok(plan.calls.length >= 1);
    assert.match(plan.calls[plan.calls.length - 1]!.command, /join .*check && bash services\/inference\/gpu\/run-bench\.sh/);
    for (const c of plan.calls) {
      assert.ok(c.totalBytes <= plan.limitBytes - plan.marginBytes);
      const dir = join(carry, `call-${c.call}`);
      const sums = readFileSync(join(dir, "SHA256SUMS"), "utf8").trim().split("\n");
      for (const line of sums) {
        const [hash, name] = line.split(/\s+/);
        assert.equal(sha(join(dir, name!)), hash, name);
      }
    }
    const parts = readdirSync(join(carry, "staging")).filter((f) => f.includes(".part-"));
    assert.deepEqual(parts, ["tiny.gguf.part-01-of-03", "tiny.gguf.part-02-of-03", "tiny.gguf.part-03-of-03"]);
    for (const p of parts) assert.ok(statSync(join(carry, "staging", p)).size <= MIB);
    assert.match(readFileSync(join(carry, "PLAN.md"), "utf8"), /timeout_s/);
  });

  test("parts spread over calls when a call holds only some of them; joined in order", () => {
    const small = join(tmp, "carry-small");
    const r = sh("pack.sh", [
      "--out",
      small,
      "--gguf",
      gguf,
      "--node",
      join(tmp, "node"),
      "--docs",
      join(tmp, "docs.jsonl"),
      "--part-mib",
      "1",
      "--xz-level",
      "0",
      "--only",
      "node,docs,gguf",
      "--tree-bytes",
      "0",
      "--limit-mib",
      "2",
      "--margin-mib",
      "0",
    ]);
    assert.equal(r.code, 0, r.stderr);
    const p = JSON.parse(readFileSync(join(small, "plan.json"), "utf8")) as Plan;
    assert.deepEqual(
      p.calls.map((c) => c.files.filter((f) => f.file.includes(".part-")).length),
      [2, 1],
    );
    assert.ok(p.calls.every((c) => c.totalBytes <= 2 * MIB));
    const r2 = join(tmp, "root-small");
    mkdirSync(r2);
    // Without xz (Python's lzma decompresses Node then), as on a machine that lacks it.
    for (const c of p.calls)
      assert.equal(sh("build-cuda.sh", ["--root", r2, "--from", join(small, `call-${c.call}`), "unpack"], { BUILD_CUDA_NO_XZ: "1" }).code, 0);
    assert.equal(spawnSync(join(r2, ".cache/gpu-run/node/bin/node"), ["--version"], { encoding: "utf8" }).stdout.trim(), process.version);
    const joined = sh("build-cuda.sh", ["--root", r2, "join"]);
    assert.equal(joined.code, 0, joined.stderr);
    assert.equal(sha(join(r2, ".cache/models/tiny.gguf")), sha(gguf));
  });

  test("unpack and join: Node runs, node_modules and documents in place, the GGUF joined byte for byte", () => {
    const r = sh("build-cuda.sh", ["--root", root, "--carry", carry, "unpack", "join"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(sha(join(root, ".cache/models/tiny.gguf")), sha(gguf));
    const v = spawnSync(join(root, ".cache/gpu-run/node/bin/node"), ["--version"], { encoding: "utf8" });
    assert.equal(v.stdout.trim(), process.version);
    assert.ok(existsSync(join(root, "node_modules/node-llama-cpp/dist/index.js")));
    assert.ok(!existsSync(join(root, "node_modules/node-llama-cpp/llama/gitRelease.bundle")), "the bundle travels as llama-src.tar.xz instead");
    assert.ok(existsSync(join(root, ".cache/gpu-run/addon-src/llama.cpp/ggml/src/ggml-cuda/CMakeLists.txt")));
    assert.equal(readFileSync(join(root, ".cache/gpu-run/documents.jsonl"), "utf8"), readFileSync(join(tmp, "docs.jsonl"), "utf8"));
    // Again: nothing to do, still fine.
    assert.equal(sh("build-cuda.sh", ["--root", root, "--carry", carry, "unpack", "join"]).code, 0);
  });

  test("a part corrupted in transit is refused at unpack, naming it", () => {
    const bad = join(tmp, "carry-bad");
    cpSync(carry, bad, { recursive: true });
    const last = plan.calls[plan.calls.length - 1]!;
    const part = readdirSync(join(bad, `call-${last.call}`)).find((f) => f.includes(".part-"))!;
    const path = join(bad, `call-${last.call}`, part);
    const bytes = readFileSync(path);
    bytes[1000] = bytes[1000]! ^ 0xff;
    writeFileSync(path, bytes);
    mkdirSync(join(tmp, "root-bad"));
    const r = sh("build-cuda.sh", ["--root", join(tmp, "root-bad"), "--from", join(bad, `call-${last.call}`), "unpack"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /refusing .*do not match their sha256/);
    assert.match(r.stderr, new RegExp(`${part.replaceAll(".", "\\.")}: FAILED`));
  });

  test("join refuses a joined file whose sha256 is wrong, and a missing part", () => {
    const r2 = join(tmp, "root-join");
    const parts = join(r2, ".cache/gpu-run/parts");
    mkdirSync(parts, { recursive: true });
    cpSync(join(root, ".cache/gpu-run/parts"), parts, { recursive: true });
    const p2 = join(parts, "tiny.gguf.part-02-of-03");
    const bytes = readFileSync(p2);
    bytes[5] = bytes[5]! ^ 1;
    writeFileSync(p2, bytes);
    let r = sh("build-cuda.sh", ["--root", r2, "join"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /refusing tiny\.gguf: the joined file's sha256 is [0-9a-f]{64}, expected [0-9a-f]{64}/);
    assert.ok(!existsSync(join(r2, ".cache/models/tiny.gguf")) && !existsSync(join(r2, ".cache/models/tiny.gguf.tmp")));
    rmSync(p2);
    r = sh("build-cuda.sh", ["--root", r2, "join"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /have 2 of 03 parts; missing: 02/);
  });

  test("arguments: unknown steps and options, bad values, CUDA without nvcc", () => {
    assert.equal(sh("build-cuda.sh", []).code, 2);
    assert.equal(sh("build-cuda.sh", ["frobnicate"]).code, 2);
    assert.equal(sh("build-cuda.sh", ["--fast", "build"]).code, 2);
    assert.match(sh("build-cuda.sh", ["--root", root, "--jobs", "0", "build"]).stderr, /--jobs: expected a positive whole number/);
    assert.match(sh("build-cuda.sh", ["--root", root, "--cuda-arch", "hopper", "build"]).stderr, /--cuda-arch: expected e\.g\. 90/);
    assert.match(sh("build-cuda.sh", ["--root", root, "--cpu", "--cuda-arch", "90", "build"]).stderr, /does not go with --cpu/);
    assert.match(sh("build-cuda.sh", ["--root", root, "wait"]).stderr, /no cuda build was started/);
    if (spawnSync("sh", ["-c", "command -v nvcc || test -x /usr/local/cuda/bin/nvcc"]).status !== 0) {
      const r = sh("build-cuda.sh", ["--root", root, "build"]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /nvcc not found: this step builds the CUDA backend \(pass --cpu/);
    }
    // node_modules it did not unpack itself is never replaced.
    const other = join(tmp, "root-other");
    mkdirSync(join(other, "node_modules"), { recursive: true });
    const r = sh("build-cuda.sh", ["--root", other, "--from", join(carry, "call-1"), "unpack"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /was not unpacked by this script; refusing to replace it/);
    assert.equal(sh("run-bench.sh", ["--frob"]).code, 2);
    assert.match(sh("run-bench.sh", ["--deadline-s", "30"]).stderr, /only 30 s left/);
  });

  test("build --cpu --dry-run: node-llama-cpp's cmake options for this machine, without CUDA", () => {
    const r = sh("build-cuda.sh", ["--root", root, "--cpu", "build", "--dry-run"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^folder: linux-x64 \(variant v0\.5\.0\)$/m);
    assert.match(r.stdout, /cmake -S \S+\/addon-src -B \S+\/build-cpu .*-DNLC_VARIANT=v0\.5\.0 .*-DGGML_NATIVE=OFF -DGGML_OPENMP=OFF/);
    assert.match(r.stdout, /-DCMAKE_JS_INC=\S+node-api-headers\/include\\;\S+node-addon-api/);
    assert.doesNotMatch(r.stdout, /GGML_CUDA/);
    assert.match(r.stdout, /cmake --build \S+ --config Release --target llama-addon -j \d+/);
    assert.ok(existsSync(join(root, ".cache/gpu-run/addon-src/CMakeLists.txt")), "node-llama-cpp's CMake project is staged around llama.cpp");
  });

  test("place + check: a binary placed as a local build is what getLlama({ build: 'never' }) loads", {
    skip: !existsSync(join(REPO_ROOT, "node_modules/@node-llama-cpp/linux-x64/bins/linux-x64/llama-addon.node")),
  }, () => {
    // The CPU prebuilt stands in for what `build --cpu` compiles (that takes many minutes here).
    const built = join(REPO_ROOT, "node_modules/@node-llama-cpp/linux-x64/bins/linux-x64");
    let r = sh("build-cuda.sh", ["--root", root, "--cpu", "--built", built, "place"]);
    assert.equal(r.code, 0, r.stderr);
    const folder = join(root, "node_modules/node-llama-cpp/llama/localBuilds/linux-x64");
    assert.ok(existsSync(join(folder, "buildDone.status")));
    const metadata = JSON.parse(readFileSync(join(folder, "Release/_nlcBuildMetadata.json"), "utf8"));
    assert.equal(metadata.buildOptions.gpu, false);
    r = sh("build-cuda.sh", ["--root", root, "--cpu", "--skip-model", "check"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /check-load: ok .*"buildType":"localBuild"/);
    // Without it the same check fails and says why (no prebuilt binaries travel).
    rmSync(folder, { recursive: true });
    r = sh("build-cuda.sh", ["--root", root, "--cpu", "--skip-model", "check"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /failed: NoBinaryFoundError \(no local build/);
  });

  test("run-bench.sh --cpu at tiny scale: a complete report (gRPC, in-process, overhead, sweep) in $OUT", () => {
    for (const dir of ["services", "proto", "training", "prompts"]) {
      if (existsSync(join(REPO_ROOT, dir)) && !existsSync(join(root, dir))) symlinkSync(join(REPO_ROOT, dir), join(root, dir));
    }
    const out = join(tmp, "out");
    mkdirSync(out);
    const r = sh(
      "run-bench.sh",
      [
        "--cpu",
        "--root",
        root,
        "--deadline-s",
        "240",
        "--",
        "--levels",
        "1,2",
        "--window-s",
        "1",
        "--max-requests",
        "2",
        "--sweep-sequences",
        "2",
        "--sweep-contexts",
        "2048",
        "--sweep-window-s",
        "1",
        "--threads",
        "1",
        "--no-warm",
      ],
      // Confidence off: this checks the report, not the figures, and it halves the CPU time per token.
      { OUT: out, INFERENCE_MODEL_PATH: ensureDefaultModel(), INFERENCE_CONFIDENCE: "false", LOG_LEVEL: "error" },
      300_000,
    );
    assert.equal(r.code, 0, r.stderr.slice(-3000));
    const report = JSON.parse(readFileSync(join(out, "gpu-bench.json"), "utf8"));
    assert.equal(report.schema, "gpu-bench/1");
    assert.equal(report.complete, true, JSON.stringify(report.skipped));
    assert.equal(report.machine.gpu, "n/a");
    assert.equal(report.gpuMemory, "n/a");
    assert.equal(report.runtime.gpu, false);
    assert.equal(report.config.decoding, "guided");
    assert.match(report.config.adapter, /extraction-lora-v1\.gguf$/);
    for (const rows of [report.grpc, report.inProcess]) {
      assert.deepEqual(
        rows.map((x: { concurrency: number }) => x.concurrency),
        [1, 2],
      );
      for (const x of rows) {
        assert.ok(x.requests >= 1 && x.errors === 0 && x.docsPerS > 0 && x.latencyMs.p99 >= x.latencyMs.p50 && x.completionTokensPerS > 0);
        assert.equal(x.gpu, null);
      }
    }
    assert.equal(report.overhead.length, 2);
    assert.ok(report.overhead.every((o: { latencyRatioP50: number }) => o.latencyRatioP50 > 0));
    assert.equal(report.sweep.results.length, 1);
    assert.equal(report.sweep.results[0].sequences, 2);
    assert.ok(report.sweep.choice && typeof report.sweep.choice.rule === "string");
    const md = readFileSync(join(out, "gpu-bench.md"), "utf8");
    for (const h of ["## Over gRPC", "## In-process", "## Server overhead", "## Sequences × context", "## GPU memory"]) assert.ok(md.includes(h), h);
    assert.ok(existsSync(join(out, "gpu-bench.log")));
  });
});

test("gpu-bench.ts refuses bad arguments before loading anything", () => {
  const bench = join(REPO_ROOT, "services/inference/bench/gpu-bench.ts");
  writeFileSync(join(tmp, "args-docs.jsonl"), TINY_DOCS);
  for (const args of [["--levels", "0,8"], ["--phases", "grpc,warp"], ["--window-s=-1"], ["--sequences", "300"], ["--deadline-s", "2"]]) {
    const r = spawnSync(process.execPath, [bench, "--file", join(tmp, "args-docs.jsonl"), "--out", join(tmp, "args-out"), ...args], { encoding: "utf8", env });
    assert.equal(r.status, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, /^gpu-bench: /);
  }
  assert.ok(!existsSync(join(tmp, "args-out")), "nothing written");
});
