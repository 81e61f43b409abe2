// The carry plan: which of pack.sh's artifacts travel in which device call, so that each call
// (the working tree, which travels every time, plus that call's carry folder) stays under the
// device's limit, and the command and timeout of each call.
//
//   node services/inference/gpu/plan.ts write --repo DIR --carry DIR [--limit-mib 64] [--margin-mib 3] [--tree-bytes N]
//   node services/inference/gpu/plan.ts check --repo DIR --carry DIR   # before a GPU session: still fits?
//
// Call 1 carries everything the build needs (Node, node_modules, llama.cpp source, documents) and
// starts the CUDA build in the background; the GGUF parts follow, one call each (a part is as
// large as a call allows); the last call joins the GGUF, waits for the build and runs the bench.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, linkSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";

export const MIB = 1024 * 1024;

/** Artifacts the build needs, all in the first call. */
export const BUILD_FILES = ["node-linux-x64.xz", "node.sha256", "node_modules.tar.xz", "llama-src.tar.xz", "documents.jsonl"];
const PART = /^(.+)\.part-(\d{2})-of-(\d{2})$/;

export interface Artifact {
  file: string;
  bytes: number;
}

export interface PlannedCall {
  call: number;
  folder: string;
  files: Artifact[];
  carryBytes: number;
  /** Working tree + carry: what travels. */
  totalBytes: number;
  command: string;
  timeoutS: number;
  purpose: string;
}

export interface Plan {
  treeBytes: number;
  limitBytes: number;
  marginBytes: number;
  calls: PlannedCall[];
}

/** Wall-clock limit of the last call's command; run-bench.sh's deadline leaves it a margin. */
export const LAST_CALL_TIMEOUT_S = 600;
const SCRIPT = "bash services/inference/gpu/build-cuda.sh";

/**
 * Pure: assigns artifacts to calls. Build files go to call 1 (error if they do not fit); GGUF
 * parts follow in order, first fit. `sidecars` (e.g. <gguf>.sha256) travel with every call that
 * carries a part.
 */
export function planCalls(input: {
  treeBytes: number;
  limitBytes: number;
  marginBytes: number;
  build: Artifact[];
  parts: Artifact[];
  partSidecars: Artifact[];
  carryDir: string;
}): Plan {
  const capacity = input.limitBytes - input.treeBytes - input.marginBytes;
  const fmt = (b: number) => `${(b / MIB).toFixed(1)} MiB`;
  if (capacity <= 0) {
    throw new Error(`the working tree (${fmt(input.treeBytes)}) leaves no room under ${fmt(input.limitBytes)} with a ${fmt(input.marginBytes)} margin`);
  }
  const groups: Artifact[][] = [];
  const sum = (files: Artifact[]) => files.reduce((a, f) => a + f.bytes, 0);
  if (input.build.length > 0) {
    if (sum(input.build) > capacity) {
      throw new Error(
        `the build inputs (${input.build.map((f) => `${f.file} ${fmt(f.bytes)}`).join(", ")}) need ${fmt(sum(input.build))}, more than one call carries (${fmt(capacity)} beside a ${fmt(input.treeBytes)} working tree)`,
      );
    }
    groups.push([...input.build]);
  }
  const sidecarBytes = sum(input.partSidecars);
  for (const part of input.parts) {
    if (part.bytes + sidecarBytes > capacity) {
      throw new Error(`${part.file} (${fmt(part.bytes)}) does not fit one call (${fmt(capacity)} beside the working tree); pack with a smaller --part-mib`);
    }
    const last = groups[groups.length - 1];
    const lastHasPart = last?.some((f) => PART.test(f.file)) ?? false;
    const extra = lastHasPart ? part.bytes : part.bytes + sidecarBytes;
    if (last !== undefined && sum(last) + extra <= capacity) {
      last.push(part);
      if (!lastHasPart) last.push(...input.partSidecars);
    } else {
      groups.push([part, ...input.partSidecars]);
    }
  }
  const n = groups.length;
  const calls = groups.map((files, i): PlannedCall => {
    const call = i + 1;
    const folder = `${input.carryDir}/call-${call}`;
    const hasBuild = files.some((f) => f.file === "node_modules.tar.xz");
    const last = call === n;
    let command: string;
    let timeoutS: number;
    let purpose: string;
    if (last) {
      // One call only: build in the foreground; otherwise the build started in call 1.
      const build = hasBuild && n === 1 ? "build" : "wait";
      command = `T0=$(date +%s); ${SCRIPT} --from ${folder} unpack join ${build} check && bash services/inference/gpu/run-bench.sh --deadline-at $((T0+${LAST_CALL_TIMEOUT_S - 40}))`;
      timeoutS = LAST_CALL_TIMEOUT_S;
      purpose = "unpack, join and verify the GGUF, wait for the build, check that CUDA loads, run the GPU benchmark";
    } else if (hasBuild) {
      command = `${SCRIPT} --from ${folder} unpack build --detach`;
      timeoutS = 180;
      purpose = "unpack Node, node_modules, llama.cpp and documents; start the CUDA build in the background (setsid)";
    } else {
      command = `${SCRIPT} --from ${folder} unpack`;
      timeoutS = 120;
      purpose = "verify and stage the GGUF part(s); the build keeps running";
    }
    const carryBytes = sum(files);
    return { call, folder, files, carryBytes, totalBytes: input.treeBytes + carryBytes, command, timeoutS, purpose };
  });
  return { treeBytes: input.treeBytes, limitBytes: input.limitBytes, marginBytes: input.marginBytes, calls };
}

/** Bytes of what travels with every call: tracked and untracked-not-ignored files, and shared/ if the checkout has one. */
export function workingTreeBytes(repo: string): number {
  const out = execFileSync("git", ["-C", repo, "ls-files", "-z", "--cached", "--others", "--exclude-standard"], { maxBuffer: 64 * MIB });
  let bytes = 0;
  const seen = new Set<string>();
  for (const p of out.toString("utf8").split("\0")) {
    if (p.length === 0 || seen.has(p)) continue;
    seen.add(p);
    try {
      bytes += lstatSync(join(repo, p)).size;
    } catch {
      // Deleted in the working tree: does not travel.
    }
  }
  const shared = join(repo, "shared");
  if (existsSync(shared)) bytes += Number(execFileSync("du", ["-sb", shared]).toString().split("\t")[0]);
  return bytes;
}

function sha256File(path: string): string {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

function readStaging(staging: string): { build: Artifact[]; parts: Artifact[]; partSidecars: Artifact[] } {
  const names = readdirSync(staging);
  const art = (file: string) => ({ file, bytes: statSync(join(staging, file)).size });
  const build = BUILD_FILES.filter((f) => names.includes(f)).map(art);
  const parts = names
    .filter((f) => PART.test(f))
    .sort()
    .map(art);
  const stems = new Set(parts.map((p) => PART.exec(p.file)![1]!));
  const partSidecars = [...stems]
    .map((s) => `${s}.sha256`)
    .filter((f) => names.includes(f))
    .map(art);
  for (const stem of stems) {
    const nums = parts.filter((p) => p.file.startsWith(`${stem}.part-`)).map((p) => PART.exec(p.file)!);
    const count = Number(nums[0]![3]);
    if (nums.length !== count) throw new Error(`${stem}: ${nums.length} of ${count} parts in ${staging}`);
  }
  return { build, parts, partSidecars };
}

export function renderPlanMarkdown(plan: Plan): string {
  const mib = (b: number) => (b / MIB).toFixed(1);
  const lines = [
    "# GPU session: carry plan",
    "",
    `Working tree ${mib(plan.treeBytes)} MiB travels with every call; limit ${mib(plan.limitBytes)} MiB per call, ${mib(plan.marginBytes)} MiB kept free.`,
    "Make the calls one right after the other (the machine is given back 30 s after a call).",
    "",
    "| call | carry | files | MiB (tree + carry) | timeout_s | what it does |",
    "|---:|---|---|---:|---:|---|",
  ];
  for (const c of plan.calls) {
    lines.push(`| ${c.call} | \`${c.folder}\` | ${c.files.map((f) => f.file).join(", ")} | ${mib(c.totalBytes)} | ${c.timeoutS} | ${c.purpose} |`);
  }
  lines.push("", "Commands:", "");
  for (const c of plan.calls) lines.push(`${c.call}. carry \`["${c.folder}"]\`, timeout_s ${c.timeoutS}:`, "", "   ```", `   ${c.command}`, "   ```", "");
  return `${lines.join("\n")}\n`;
}

function write(repo: string, carry: string, limitMib: number, marginMib: number, treeBytes: number | undefined): Plan {
  const staging = join(carry, "staging");
  const { build, parts, partSidecars } = readStaging(staging);
  const rel = relative(repo, carry);
  if (rel.startsWith("..")) console.error(`plan: ${carry} is outside ${repo}; the device carries only paths inside the repository`);
  const plan = planCalls({
    treeBytes: treeBytes ?? workingTreeBytes(repo),
    limitBytes: limitMib * MIB,
    marginBytes: marginMib * MIB,
    build,
    parts,
    partSidecars,
    carryDir: rel.startsWith("..") ? carry : rel,
  });
  for (const entry of readdirSync(carry)) if (/^call-\d+$/.test(entry)) rmSync(join(carry, entry), { recursive: true, force: true });
  const manifest = {
    createdAt: new Date().toISOString(),
    limitBytes: plan.limitBytes,
    treeBytes: plan.treeBytes,
    calls: plan.calls.map((c) => ({ call: c.call, folder: c.folder, files: c.files })),
  };
  for (const c of plan.calls) {
    const dir = join(carry, `call-${c.call}`);
    mkdirSync(dir, { recursive: true });
    const sums: string[] = [];
    for (const f of c.files) {
      linkSync(join(staging, f.file), join(dir, f.file));
      sums.push(`${sha256File(join(dir, f.file))}  ${f.file}`);
    }
    writeFileSync(join(dir, "SHA256SUMS"), `${sums.join("\n")}\n`);
    writeFileSync(join(dir, "manifest.json"), `${JSON.stringify({ ...manifest, call: c.call }, null, 2)}\n`);
  }
  writeFileSync(join(carry, "plan.json"), `${JSON.stringify(plan, null, 2)}\n`);
  writeFileSync(join(carry, "PLAN.md"), renderPlanMarkdown(plan));
  return plan;
}

/** Re-measures the working tree and checks every call of plan.json still fits. */
function check(repo: string, carry: string): string[] {
  const plan = JSON.parse(readFileSync(join(carry, "plan.json"), "utf8")) as Plan;
  const tree = workingTreeBytes(repo);
  const problems: string[] = [];
  for (const c of plan.calls) {
    const dir = join(carry, `call-${c.call}`);
    let carryBytes = 0;
    for (const f of readdirSync(dir)) carryBytes += statSync(join(dir, f)).size;
    const total = tree + carryBytes;
    if (total > plan.limitBytes)
      problems.push(
        `call ${c.call}: ${(total / MIB).toFixed(1)} MiB (tree ${(tree / MIB).toFixed(1)} + carry ${(carryBytes / MIB).toFixed(1)}) is over ${(plan.limitBytes / MIB).toFixed(0)} MiB`,
      );
  }
  return problems;
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      repo: { type: "string", default: "." },
      carry: { type: "string", default: ".cache/gpu-carry" },
      "limit-mib": { type: "string", default: "64" },
      "margin-mib": { type: "string", default: "3" },
      /** Instead of measuring the working tree (tests). */
      "tree-bytes": { type: "string" },
    },
  });
  const repo = resolve(values.repo);
  const carry = resolve(repo, values.carry);
  const verb = positionals[0];
  try {
    if (verb === "write") {
      const plan = write(
        repo,
        carry,
        Number(values["limit-mib"]),
        Number(values["margin-mib"]),
        values["tree-bytes"] === undefined ? undefined : Number(values["tree-bytes"]),
      );
      for (const c of plan.calls) console.log(`call ${c.call}: ${(c.totalBytes / MIB).toFixed(1)} MiB  ${c.files.map((f) => f.file).join(" ")}`);
    } else if (verb === "check") {
      const problems = check(repo, carry);
      if (problems.length > 0) {
        for (const p of problems) console.error(`plan: ${p}`);
        process.exit(1);
      }
      console.log("plan: every call fits");
    } else {
      console.error("usage: plan.ts write|check --repo DIR --carry DIR [--limit-mib 64] [--margin-mib 3]");
      process.exit(2);
    }
  } catch (error) {
    console.error(`plan: ${(error as Error).message}`);
    process.exit(1);
  }
}
