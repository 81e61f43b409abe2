import assert from "node:assert/strict";
import { test } from "node:test";
import { flameGraphSvg } from "../src/flamegraph.ts";
import type { CpuProfile } from "../src/profile-summary.ts";

/** A frame of the fixture: its own samples and its callees. */
interface Spec {
  name: string;
  url?: string;
  line?: number;
  self?: number;
  children?: Spec[];
}

const OWN = "file:///work/main/services/domain/src/validation/reader.ts";
const DEPENDENCY = "file:///work/main/node_modules/kafkajs/src/consumer/runner.js";

/** A V8 .cpuprofile as node --cpu-prof writes it, one sample per millisecond. */
function cpuProfile(frames: Spec[]): CpuProfile {
  const nodes: CpuProfile["nodes"] = [];
  const samples: number[] = [];
  const add = (spec: Spec): number => {
    const node = { id: nodes.length + 1, callFrame: { functionName: spec.name, url: spec.url ?? "", lineNumber: spec.line ?? -1 }, children: [] as number[] };
    nodes.push(node);
    for (let i = 0; i < (spec.self ?? 0); i++) samples.push(node.id);
    node.children = (spec.children ?? []).map(add);
    return node.id;
  };
  add({ name: "(root)", children: frames });
  return { nodes, samples, timeDeltas: samples.map(() => 1000), startTime: 0, endTime: samples.length * 1000 };
}

interface DrawnFrame {
  title: string;
  x: number;
  y: number;
  width: number;
  fill: string;
  label: string | undefined;
}

function drawnFrames(svg: string): DrawnFrame[] {
  const pattern =
    /<g class="frame"><title>(.*?)<\/title><rect x="([\d.]+)" y="(\d+)" width="([\d.]+)"[^>]*fill="(#[0-9a-f]{6})"[^>]*\/>(?:<text[^>]*>(.*?)<\/text>)?<\/g>/g;
  return [...svg.matchAll(pattern)].map((m) => ({ title: m[1]!, x: Number(m[2]), y: Number(m[3]), width: Number(m[4]), fill: m[5]!, label: m[6] }));
}

function framesNamed(svg: string, name: string): DrawnFrame[] {
  return drawnFrames(svg).filter((f) => f.title.startsWith(`${name} — `));
}

function only(svg: string, name: string): DrawnFrame {
  const found = framesNamed(svg, name);
  assert.equal(found.length, 1, `one frame named ${name}, found ${found.length}`);
  return found[0]!;
}

/** Hue in degrees and saturation (0–1) of a #rrggbb colour. */
function hueOf(hex: string): { hue: number; saturation: number } {
  const [r, g, b] = [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16) / 255) as [number, number, number];
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  const d = max - min;
  if (d === 0) return { hue: 0, saturation: 0 };
  const hue = max === r ? ((g - b) / d + 6) % 6 : max === g ? (b - r) / d + 2 : (r - g) / d + 4;
  return { hue: hue * 60, saturation: d / (1 - Math.abs(max + min - 1)) };
}

const PLOT_WIDTH = 1180;

test("a frame is as wide as its share of the samples, callees stacked above their caller", () => {
  const svg = flameGraphSvg([
    cpuProfile([
      {
        name: "main",
        url: OWN,
        line: 0,
        self: 100,
        children: [
          { name: "parse", url: OWN, line: 10, self: 600 },
          { name: "send", url: DEPENDENCY, self: 300 },
        ],
      },
    ]),
  ]);
  assert.equal(only(svg, "all samples").width, PLOT_WIDTH);
  const main = only(svg, "main");
  const parse = only(svg, "parse");
  const send = only(svg, "send");
  assert.equal(main.width, PLOT_WIDTH);
  assert.ok(Math.abs(parse.width - 0.6 * PLOT_WIDTH) < 0.01, `parse ${parse.width}`);
  assert.ok(Math.abs(send.width - 0.3 * PLOT_WIDTH) < 0.01, `send ${send.width}`);
  assert.ok(parse.y < main.y && send.y === parse.y, "callees sit above their caller");
  assert.ok(parse.x >= main.x && send.x >= parse.x + parse.width - 0.01, "siblings side by side within the caller");
  assert.match(parse.title, /services\/domain\/src\/validation\/reader\.ts:11 — 600 samples, 60\.00%$/);
  assert.match(send.title, /— node_modules\/kafkajs\/src\/consumer\/runner\.js — 300 samples/);
  assert.match(svg, /1000 samples, 1 profile lasting 1\.0 s in total/);
});

test("identical stacks merge, within a profile and across profiles; the same function under another caller does not", () => {
  const work = (self: number): Spec => ({ name: "work", url: OWN, line: 5, self });
  const first = cpuProfile([
    { name: "main", url: OWN, children: [work(100), work(50)] },
    { name: "other", url: OWN, children: [work(25)] },
  ]);
  const second = cpuProfile([{ name: "main", url: OWN, children: [work(25)] }]);
  const svg = flameGraphSvg([first, second]);
  const works = framesNamed(svg, "work").sort((a, b) => b.width - a.width);
  assert.equal(works.length, 2);
  assert.match(works[0]!.title, /175 samples/);
  assert.match(works[1]!.title, /25 samples/);
  assert.match(only(svg, "main").title, /175 samples, 87\.50%/);
  assert.match(svg, /200 samples, 2 profiles lasting 0\.2 s in total/);
});

test("(idle) is left out of the total unless asked for", () => {
  const profile = cpuProfile([
    { name: "(idle)", self: 900 },
    { name: "work", url: OWN, self: 100 },
  ]);
  const svg = flameGraphSvg([profile]);
  assert.equal(framesNamed(svg, "(idle)").length, 0);
  assert.equal(only(svg, "work").width, PLOT_WIDTH);
  assert.match(svg, /100 samples, .*\(idle\) excluded: 900 samples/);
  const withIdle = flameGraphSvg([profile], { includeIdle: true });
  assert.ok(Math.abs(only(withIdle, "(idle)").width - 0.9 * PLOT_WIDTH) < 0.01);
  assert.match(withIdle, /1000 samples/);
});

test("frames under 0.1% of the samples are dropped with their callees", () => {
  const svg = flameGraphSvg([
    cpuProfile([
      { name: "busy", url: OWN, self: 1996 },
      { name: "kept", url: OWN, self: 3 },
      { name: "tiny", url: OWN, children: [{ name: "tinyCallee", url: OWN, self: 1 }] },
    ]),
  ]);
  assert.equal(framesNamed(svg, "tiny").length, 0);
  assert.equal(framesNamed(svg, "tinyCallee").length, 0);
  assert.equal(framesNamed(svg, "kept").length, 1);
  assert.match(only(svg, "all samples").title, /2000 samples/);
});

test("names are XML-escaped and labels truncated to fit their frame", () => {
  const nasty = `compare<"a" & 'b'>`;
  const long = "aFunctionNameFarTooLongForItsFrameToHold";
  const svg = flameGraphSvg([
    cpuProfile([
      { name: nasty, url: OWN, self: 500 },
      { name: long, url: OWN, self: 25 },
      { name: "rest", url: OWN, self: 475 },
    ]),
  ]);
  assert.ok(svg.includes("compare&lt;&quot;a&quot; &amp; &apos;b&apos;&gt; — "));
  assert.ok(!svg.includes(nasty));
  const narrow = drawnFrames(svg).find((f) => f.title.startsWith(long))!;
  assert.ok(narrow.label?.endsWith("…"), `label ${narrow.label}`);
  assert.ok(narrow.label!.length * 11 * 0.602 <= narrow.width, "the label fits its frame");
});

test("colours follow the package: own code warm, node_modules cool, runtime grey, the same every time", () => {
  const profile = cpuProfile([
    { name: "validate", url: OWN, self: 400 },
    { name: "run", url: DEPENDENCY, self: 300 },
    { name: "writeGeneric", url: "node:internal/stream_base_commons", self: 200 },
    { name: "(garbage collector)", self: 100 },
  ]);
  const svg = flameGraphSvg([profile]);
  const own = hueOf(only(svg, "validate").fill);
  const dependency = hueOf(only(svg, "run").fill);
  assert.ok(own.saturation > 0.3 && own.hue <= 50, `own ${JSON.stringify(own)}`);
  assert.ok(dependency.saturation > 0.3 && dependency.hue >= 175 && dependency.hue <= 255, `dependency ${JSON.stringify(dependency)}`);
  assert.equal(hueOf(only(svg, "writeGeneric").fill).saturation, 0);
  assert.equal(hueOf(only(svg, "(garbage collector)").fill).saturation, 0);
  assert.equal(flameGraphSvg([profile]), svg);
});

test("the SVG is well-formed: balanced tags, escaped text, a title on every frame", () => {
  const svg = flameGraphSvg([
    cpuProfile([
      { name: "main", url: OWN, self: 10, children: [{ name: "a<b>&c", url: DEPENDENCY, self: 90 }] },
      { name: "(program)", self: 5 },
    ]),
  ]);
  const open: string[] = [];
  for (const [, closing, name, selfClosing] of svg.matchAll(/<(\/?)([a-zA-Z]+)[^>]*?(\/?)>/g)) {
    if (closing) assert.equal(open.pop(), name);
    else if (!selfClosing) open.push(name!);
  }
  assert.deepEqual(open, []);
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.doesNotMatch(svg.replace(/<[^>]*>/g, ""), /[<>]|&(?!amp;|lt;|gt;|quot;|apos;)/);
  const groups = svg.match(/<g class="frame">.*?<\/g>/g) ?? [];
  assert.equal(groups.length, 4);
  for (const group of groups) {
    assert.equal(group.match(/<title>/g)?.length, 1, group);
    assert.equal(group.match(/<rect /g)?.length, 1, group);
  }
  assert.equal(drawnFrames(svg).length, groups.length);
});
