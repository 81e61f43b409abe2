// Draws V8 .cpuprofile files (node --cpu-prof) as one flame graph, SVG and PNG, so that a profile
// kept from an earlier run can be drawn again or put in the docs:
//   node loadtest/src/draw-flamegraph.ts [--out FILE.svg] [--title TEXT] [--include-idle] [--no-png] <file.cpuprofile | folder>...
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { type FlameGraphOptions, flameGraphSvg } from "./flamegraph.ts";
import { type CpuProfile, profileFiles } from "./profile-summary.ts";
import { svgToPng } from "./report.ts";

/** Writes svgPath, and the PNG beside it unless png is false; returns the paths written. */
export function writeFlameGraph(svgPath: string, files: string[], png: boolean, options: FlameGraphOptions = {}): string[] {
  const profiles = files.map((file) => JSON.parse(readFileSync(file, "utf8")) as CpuProfile);
  const svg = flameGraphSvg(profiles, options);
  writeFileSync(svgPath, svg);
  if (!png) return [svgPath];
  const pngPath = `${svgPath.replace(/\.svg$/, "")}.png`;
  writeFileSync(pngPath, svgToPng(svg));
  return [svgPath, pngPath];
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { out: { type: "string" }, title: { type: "string" }, "include-idle": { type: "boolean" }, "no-png": { type: "boolean" } },
  });
  const first = positionals[0];
  if (!first) {
    console.error("usage: draw-flamegraph.ts [--out FILE.svg] [--title TEXT] [--include-idle] [--no-png] <file.cpuprofile | folder>...");
    process.exit(2);
  }
  const files = positionals.flatMap(profileFiles);
  if (files.length === 0) {
    console.error(`no .cpuprofile files in ${positionals.join(", ")}`);
    process.exit(1);
  }
  const out = values.out ?? join(statSync(first).isDirectory() ? first : dirname(first), "flamegraph.svg");
  const options: FlameGraphOptions = { includeIdle: values["include-idle"] ?? false };
  if (values.title) options.title = values.title;
  for (const path of writeFlameGraph(out, files, !values["no-png"], options)) console.log(path);
}
