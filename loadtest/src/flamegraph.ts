// A flame graph of V8 .cpuprofile files as one self-contained SVG: no script, no external font or
// stylesheet, so that it shows the same on GitHub, in a browser and once rasterised by resvg.
// Classic orientation: the root ("all samples") at the bottom, callees stacked above their callers.
// Width is the share of samples spent in a frame and everything it called; hovering shows the frame's
// function, file:line and share. Colour says where the code lives: our own code warm, node_modules
// cool, Node core / V8 / GC grey, with the hue fixed by the package name so that runs compare.
import { type CpuProfile, packageOf } from "./profile-summary.ts";

export interface FlameGraphOptions {
  /** First line of the heading. */
  title?: string;
  /** Frames narrower than this share of all samples are left out, with everything above them. */
  minFraction?: number;
  /** (idle) is time the process waited; it would dwarf the work, so it is left out unless asked for. */
  includeIdle?: boolean;
}

interface Frame {
  name: string;
  url: string;
  /** 0-based, as V8 reports it; -1 for native frames. */
  line: number;
}

interface FlameNode {
  frame: Frame;
  /** Samples in this frame and everything it called. */
  samples: number;
  children: Map<string, FlameNode>;
}

const WIDTH = 1200;
const MARGIN = 10;
const FRAME_HEIGHT = 17;
const FONT = "DejaVu Sans Mono, monospace";
const FONT_SIZE = 11;
// DejaVu Sans Mono advances 0.602 em per character; a little more keeps labels clear of the edge.
const CHAR_WIDTH = FONT_SIZE * 0.61;
const HEADING_HEIGHT = 62;
const LEGEND_ENTRIES = 12;

export function flameGraphSvg(profiles: CpuProfile[], options: FlameGraphOptions = {}): string {
  const minFraction = options.minFraction ?? 0.001;
  const root: FlameNode = { frame: { name: "all samples", url: "", line: -1 }, samples: 0, children: new Map() };
  let idleSamples = 0;
  let durationUs = 0;
  for (const profile of profiles) {
    idleSamples += mergeProfile(root, profile, options.includeIdle ?? false);
    durationUs += profile.endTime - profile.startTime;
  }
  const total = root.samples;
  const plotWidth = WIDTH - 2 * MARGIN;
  const scale = total > 0 ? plotWidth / total : 0;
  const placed: { node: FlameNode; x: number; depth: number }[] = [];
  const place = (node: FlameNode, x: number, depth: number) => {
    placed.push({ node, x, depth });
    let childX = x;
    for (const child of sortedChildren(node)) {
      if (child.samples >= minFraction * total) place(child, childX, depth + 1);
      childX += child.samples * scale;
    }
  };
  if (total > 0) place(root, MARGIN, 0);
  const depths = placed.reduce((most, p) => Math.max(most, p.depth + 1), 1);
  const height = HEADING_HEIGHT + depths * FRAME_HEIGHT + MARGIN;
  const baseY = height - MARGIN - FRAME_HEIGHT;

  const idleNote = options.includeIdle ? "(idle) included" : `(idle) excluded: ${idleSamples} samples`;
  const heading = [
    `${total} samples, ${profiles.length} profile${profiles.length === 1 ? "" : "s"} lasting ${(durationUs / 1e6).toFixed(1)} s in total; ${idleNote}`,
    `width = share of samples in a frame and its callees, root at the bottom; frames under ${(minFraction * 100).toFixed(1)}% hidden; hover for file and share`,
  ];
  const frames = placed.map(({ node, x, depth }) => frameSvg(node, x, baseY - depth * FRAME_HEIGHT, node.samples * scale, total));
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="${FONT}" font-size="${FONT_SIZE}">`,
    `<rect class="background" x="0" y="0" width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    `<text x="${MARGIN}" y="18" font-size="14" font-weight="bold">${escapeXml(options.title ?? "CPU flame graph")}</text>`,
    ...heading.map((line, i) => `<text x="${MARGIN}" y="${34 + 12 * i}" font-size="10" fill="#444444">${escapeXml(line)}</text>`),
    legendSvg(placed, total),
    ...frames,
    "</svg>",
    "",
  ].join("\n");
}

/** Adds a profile's samples to the tree under root; returns the (idle) samples left out. */
function mergeProfile(root: FlameNode, profile: CpuProfile, includeIdle: boolean): number {
  const hits = new Map<number, number>();
  for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const childIds = new Set(profile.nodes.flatMap((n) => n.children ?? []));
  let idle = 0;
  // Samples count for a frame and for every caller below it, so the open stack is kept.
  const stack: FlameNode[] = [root];
  const merge = (id: number) => {
    const node = byId.get(id)!;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === "(idle)" && !includeIdle) {
      idle += subtreeSamples(id, byId, hits);
      return;
    }
    const caller = stack[stack.length - 1]!;
    const key = `${functionName}\u0000${url}\u0000${lineNumber}`;
    let target = caller.children.get(key);
    if (!target) {
      target = { frame: { name: functionName || "(anonymous)", url, line: lineNumber }, samples: 0, children: new Map() };
      caller.children.set(key, target);
    }
    stack.push(target);
    const own = hits.get(id) ?? 0;
    for (const open of stack) open.samples += own;
    for (const child of node.children ?? []) merge(child);
    stack.pop();
  };
  for (const top of profile.nodes.filter((n) => !childIds.has(n.id))) {
    // V8's own "(root)" is the synthetic root of every profile; it becomes the shared "all samples".
    const own = hits.get(top.id) ?? 0;
    root.samples += own;
    for (const child of top.children ?? []) merge(child);
  }
  return idle;
}

function subtreeSamples(id: number, byId: Map<number, CpuProfile["nodes"][number]>, hits: Map<number, number>): number {
  return (byId.get(id)!.children ?? []).reduce((sum, child) => sum + subtreeSamples(child, byId, hits), hits.get(id) ?? 0);
}

// Alphabetical, as flamegraph.pl does: the x axis is not time, and a fixed order keeps runs comparable.
function sortedChildren(node: FlameNode): FlameNode[] {
  const key = (n: FlameNode) => `${n.frame.name}\u0000${n.frame.url}\u0000${n.frame.line}`;
  return [...node.children.values()].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

function frameSvg(node: FlameNode, x: number, y: number, width: number, total: number): string {
  const { name, url, line } = node.frame;
  const where = shortLocation(url);
  const share = ((100 * node.samples) / total).toFixed(2);
  const title = `${name}${where ? ` — ${where}${line >= 0 ? `:${line + 1}` : ""}` : ""} — ${node.samples} samples, ${share}%`;
  const label = fitLabel(name, width);
  return [
    `<g class="frame"><title>${escapeXml(title)}</title>`,
    `<rect x="${round(x)}" y="${y}" width="${round(width)}" height="${FRAME_HEIGHT - 1}" rx="2" fill="${colourOf(node.frame)}" stroke="#ffffff" stroke-width="0.5"/>`,
    label ? `<text x="${round(x + 3)}" y="${y + FRAME_HEIGHT - 5}">${escapeXml(label)}</text>` : "",
    "</g>",
  ].join("");
}

/** The packages with the most self time and their colours, so that the picture reads without hovering. */
function legendSvg(placed: { node: FlameNode }[], total: number): string {
  const selfByPackage = new Map<string, { frame: Frame; samples: number }>();
  for (const { node } of placed.slice(1)) {
    const self = node.samples - [...node.children.values()].reduce((sum, c) => sum + c.samples, 0);
    const name = packageName(node.frame);
    const entry = selfByPackage.get(name) ?? { frame: node.frame, samples: 0 };
    entry.samples += self;
    selfByPackage.set(name, entry);
  }
  const entries = [...selfByPackage.entries()]
    .filter(([, entry]) => entry.samples > 0)
    .sort((a, b) => b[1].samples - a[1].samples)
    .slice(0, LEGEND_ENTRIES);
  const parts: string[] = [];
  let x = MARGIN;
  for (const [name, { frame, samples }] of entries) {
    const text = `${name} ${((100 * samples) / total).toFixed(1)}%`;
    const width = 14 + text.length * CHAR_WIDTH + 12;
    if (x + width > WIDTH - MARGIN) break;
    parts.push(`<rect class="legend" x="${round(x)}" y="51" width="10" height="10" fill="${colourOf(frame)}"/>`);
    parts.push(`<text x="${round(x + 14)}" y="60" font-size="10">${escapeXml(text)}</text>`);
    x += width;
  }
  return parts.join("\n");
}

function fitLabel(name: string, width: number): string {
  const chars = Math.floor((width - 6) / CHAR_WIDTH);
  if (chars < 3) return "";
  return name.length <= chars ? name : `${name.slice(0, chars - 1)}…`;
}

type Origin = "own" | "dependency" | "runtime";

function originOf(frame: Frame): Origin {
  if (frame.url === "" || frame.url.startsWith("node:")) return "runtime";
  return frame.url.includes("node_modules/") ? "dependency" : "own";
}

function packageName(frame: Frame): string {
  return frame.url === "" && frame.name.startsWith("(") ? frame.name : packageOf(frame.url);
}

/**
 * Where a frame's code lives, as a reader would look it up: the path inside the repository for our
 * own code (services/domain/src/validation/reader.ts), node_modules/<package>/… for dependencies.
 */
export function shortLocation(url: string): string {
  const nm = url.lastIndexOf("node_modules/");
  if (nm >= 0) return url.slice(nm);
  const own = /\/((?:services|infra)\/[^/]+\/.+|(?:loadtest|proto)\/.+)$/.exec(url);
  if (own) return own[1]!;
  return url.startsWith("file://") ? url.slice("file://".length) : url;
}

const HUE_RANGES: Record<Exclude<Origin, "runtime">, [number, number]> = { own: [0, 50], dependency: [175, 255] };

function colourOf(frame: Frame): string {
  const origin = originOf(frame);
  const hash = fnv1a(packageName(frame));
  if (origin === "runtime") return hslHex(0, 0, 68 + (hash % 16));
  const [from, to] = HUE_RANGES[origin];
  return hslHex(from + (hash % (to - from + 1)), origin === "own" ? 80 : 55, 58 + ((hash >>> 8) % 10));
}

// A stable string hash, so that a package keeps its colour from one run to the next.
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash;
}

// Hex rather than hsl(): every SVG consumer reads it.
function hslHex(hue: number, saturation: number, lightness: number): string {
  const s = saturation / 100;
  const l = lightness / 100;
  const channel = (n: number) => {
    const k = (n + hue / 30) % 12;
    const value = l - s * Math.min(l, 1 - l) * Math.max(-1, Math.min(k - 3, 9 - k, 1));
    return Math.round(value * 255)
      .toString(16)
      .padStart(2, "0");
  };
  return `#${channel(0)}${channel(8)}${channel(4)}`;
}

const XML_ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" };

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => XML_ENTITIES[c]!);
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
