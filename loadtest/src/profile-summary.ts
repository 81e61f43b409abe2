// Summarises V8 .cpuprofile files (node --cpu-prof): where the CPU time went, by function and
// by package, so that a load-test report can say what the bottleneck is without a browser.
//   node loadtest/src/profile-summary.ts <file-or-folder> [top=25]
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  totalMs: number;
  byFunction: { name: string; selfMs: number; share: number }[];
  byPackage: { name: string; selfMs: number; share: number }[];
  /**
   * Self time of Node core and V8 built-ins charged to the nearest caller in a package, so
   * that e.g. socket writes made by the gRPC client count as gRPC: "who caused this work".
   */
  byCaller: { name: string; selfMs: number; share: number }[];
}

/** The package (or our own workspace folder) a script URL belongs to. */
export function packageOf(url: string): string {
  if (url === "") return "(native / V8)";
  const nm = url.lastIndexOf("node_modules/");
  if (nm >= 0) {
    const rest = url.slice(nm + "node_modules/".length).split("/");
    return rest[0]!.startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (url.startsWith("node:")) return "node (core)";
  const m = /\/(services\/[^/]+|loadtest|proto|infra\/[^/]+)\//.exec(url);
  return m ? m[1]! : url;
}

export function summariseProfile(profile: CpuProfile, top = 25): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const callerCache = new Map<number, string>();
  const callerOf = (id: number): string => {
    const cached = callerCache.get(id);
    if (cached) return cached;
    let cur: number | undefined = id;
    let found = "(native / V8)";
    while (cur !== undefined) {
      const f = byId.get(cur)!.callFrame;
      if (f.functionName === "(idle)" || f.functionName === "(garbage collector)" || f.functionName === "(program)") {
        found = f.functionName;
        break;
      }
      const p = packageOf(f.url);
      if (p !== "(native / V8)" && p !== "node (core)") {
        found = p;
        break;
      }
      cur = parent.get(cur);
    }
    callerCache.set(id, found);
    return found;
  };
  const caller = new Map<string, number>();
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const fn = new Map<string, number>();
  const pkg = new Map<string, number>();
  for (const [id, ms] of self) {
    const frame = byId.get(id)!.callFrame;
    const file = frame.url.split("/").slice(-1)[0] ?? "";
    const name = `${frame.functionName || "(anonymous)"} ${file ? `${file}:${frame.lineNumber + 1}` : ""}`.trim();
    fn.set(name, (fn.get(name) ?? 0) + ms);
    const p = frame.functionName === "(idle)" ? "(idle)" : frame.functionName === "(garbage collector)" ? "(garbage collector)" : packageOf(frame.url);
    pkg.set(p, (pkg.get(p) ?? 0) + ms);
    const c = callerOf(id);
    caller.set(c, (caller.get(c) ?? 0) + ms);
  }
  const rank = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, ms]) => ({ name, selfMs: Math.round(ms), share: Math.round((1000 * ms) / total) / 10 }));
  return { totalMs: Math.round(total), byFunction: rank(fn), byPackage: rank(pkg), byCaller: rank(caller) };
}

export function profileMarkdown(title: string, s: ProfileSummary): string {
  const busy = s.byPackage.filter((p) => p.name !== "(idle)").reduce((a, p) => a + p.selfMs, 0);
  return [
    `### ${title}`,
    "",
    `${s.totalMs} ms sampled, ${busy} ms not idle.`,
    "",
    "| package | self ms | share |",
    "|---|---:|---:|",
    ...s.byPackage.map((p) => `| ${p.name} | ${p.selfMs} | ${p.share}% |`),
    "",
    "Node core and V8 time charged to the package that called it:",
    "",
    "| caller | ms | share |",
    "|---|---:|---:|",
    ...s.byCaller.map((p) => `| ${p.name} | ${p.selfMs} | ${p.share}% |`),
    "",
    "| function | self ms | share |",
    "|---|---:|---:|",
    ...s.byFunction.map((f) => `| \`${f.name.replace(/\|/g, "\\|")}\` | ${f.selfMs} | ${f.share}% |`),
    "",
  ].join("\n");
}

/** The .cpuprofile files of a folder, or the one file named. */
export function profileFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .filter((f) => f.endsWith(".cpuprofile"))
    .map((f) => join(path, f));
}

export function summariseProfiles(path: string, top = 25): string {
  return profileFiles(path)
    .map((file) => profileMarkdown(file.split("/").slice(-1)[0]!, summariseProfile(JSON.parse(readFileSync(file, "utf8")) as CpuProfile, top)))
    .join("\n");
}

if (import.meta.main) {
  const path = process.argv[2];
  if (!path) {
    console.error("usage: profile-summary.ts <file.cpuprofile | folder> [top]");
    process.exit(2);
  }
  process.stdout.write(summariseProfiles(path, Number(process.argv[3] ?? 25)));
}
