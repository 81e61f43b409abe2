import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Resvg } from "@resvg/resvg-js";
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import type { PhaseResult, Saturation, SecondPoint } from "./stats.ts";

/**
 * Pictures of a run: Vega-Lite specs rendered headless to SVG by Vega (pure JavaScript), and to
 * PNG by resvg so that they show in any viewer. No browser, no canvas build.
 */

const FONT = "DejaVu Sans";
const WIDTH = 900;

type Row = Record<string, number | string>;

/** A Vega-Lite spec as plain data; checked by Vega-Lite's compiler at render time. */
export type ChartSpec = Record<string, unknown>;

function base(title: string, subtitle: string, rows: Row[]): Record<string, unknown> {
  return {
    title: { text: title, subtitle, anchor: "start" },
    width: WIDTH,
    height: 260,
    data: { values: rows },
    config: { font: FONT, background: "white", legend: { orient: "top", labelLimit: 400 } },
  };
}

const seriesLine = (xTitle: string, yTitle: string, yScale: Record<string, unknown> = {}) => ({
  mark: { type: "line" as const, strokeWidth: 1.5, interpolate: "monotone" as const },
  encoding: {
    x: { field: "t", type: "quantitative" as const, title: xTitle },
    y: { field: "value", type: "quantitative" as const, title: yTitle, scale: yScale },
    color: { field: "series", type: "nominal" as const, title: null },
  },
});

export function throughputSpec(points: SecondPoint[], subtitle: string): ChartSpec {
  const rows: Row[] = [];
  for (const p of points) {
    rows.push({ t: p.t, series: "offered", value: p.offered });
    rows.push({ t: p.t, series: "published", value: p.published });
    rows.push({ t: p.t, series: "completed (recorded, review or DLQ)", value: p.completed });
  }
  return { ...base("Throughput (documents/s)", subtitle, rows), ...seriesLine("seconds since start", "documents/s") };
}

export function latencySpec(points: SecondPoint[], subtitle: string, targetMs: number): ChartSpec {
  const rows: Row[] = [];
  for (const p of points) {
    // A log scale cannot show zero or missing values; seconds without completions are left out.
    if (p.p50 > 0) rows.push({ t: p.t, series: "p50", value: p.p50 });
    if (p.p99 > 0) rows.push({ t: p.t, series: "p99", value: p.p99 });
    if (p.max > 0) rows.push({ t: p.t, series: "max", value: p.max });
    if (p.commitP99 > 0) rows.push({ t: p.t, series: "p99 to commit (recorded_at)", value: p.commitP99 });
  }
  return {
    ...base("End-to-end latency over time (ms, log scale)", subtitle, rows),
    layer: [
      seriesLine("seconds since start (by completion)", "ms from received_at", { type: "log" }),
      {
        data: { values: [{ target: targetMs }] },
        mark: { type: "rule", strokeDash: [6, 4], color: "#c00" },
        encoding: { y: { field: "target", type: "quantitative" } },
      },
    ],
  };
}

export function backlogSpec(points: SecondPoint[], subtitle: string): ChartSpec {
  const rows: Row[] = [];
  for (const p of points) {
    if (p.lag !== undefined) rows.push({ t: p.t, series: "consumer lag (worker group)", value: p.lag });
    rows.push({ t: p.t, series: "in system (published, no outcome yet)", value: p.backlog });
    if (p.sidecarQueued !== undefined) rows.push({ t: p.t, series: "sidecar queue depth", value: p.sidecarQueued });
    if (p.sidecarInFlight !== undefined) rows.push({ t: p.t, series: "sidecar in flight", value: p.sidecarInFlight });
  }
  return { ...base("Consumer lag, backlog and sidecar queue (documents)", subtitle, rows), ...seriesLine("seconds since start", "documents") };
}

export function cpuSpec(points: SecondPoint[], subtitle: string): ChartSpec {
  const rows: Row[] = [];
  for (const p of points) for (const [label, cores] of Object.entries(p.cpu)) rows.push({ t: p.t, series: label, value: cores });
  const machine = points.map((p) => ({ t: p.t, busy: p.busyCores }));
  return {
    ...base("CPU by process (cores; the machine has 2)", subtitle, rows),
    layer: [
      {
        mark: { type: "area", opacity: 0.85, interpolate: "step-after" },
        encoding: {
          x: { field: "t", type: "quantitative", title: "seconds since start" },
          y: { field: "value", type: "quantitative", stack: "zero", title: "cores" },
          color: { field: "series", type: "nominal", title: null },
        },
      },
      {
        data: { values: machine },
        mark: { type: "line", color: "black", strokeWidth: 1, interpolate: "step-after" },
        encoding: { x: { field: "t", type: "quantitative" }, y: { field: "busy", type: "quantitative" } },
      },
    ],
  };
}

/** Ramp only: throughput and p99 against the offered rate, one point per step. */
export function saturationSpec(results: PhaseResult[], subtitle: string, targetMs: number): ChartSpec {
  const rows = results.filter((r) => r.latency.count > 0).map((r) => ({ offered: r.offeredRate, completed: r.completedRate, p99: r.latency.p99 }));
  return {
    title: { text: "Saturation: completed rate and p99 against offered rate", subtitle, anchor: "start" },
    config: { font: FONT, background: "white" },
    data: { values: rows },
    hconcat: [
      {
        width: 420,
        height: 260,
        layer: [
          {
            mark: { type: "line", point: true },
            encoding: {
              x: { field: "offered", type: "quantitative", title: "offered documents/s" },
              y: { field: "completed", type: "quantitative", title: "completed documents/s" },
            },
          },
          {
            mark: { type: "line", strokeDash: [4, 4], color: "gray" },
            encoding: { x: { field: "offered", type: "quantitative" }, y: { field: "offered", type: "quantitative" } },
          },
        ],
      },
      {
        width: 420,
        height: 260,
        layer: [
          {
            mark: { type: "line", point: true, color: "#c60" },
            encoding: {
              x: { field: "offered", type: "quantitative", title: "offered documents/s" },
              y: { field: "p99", type: "quantitative", title: "p99 ms (log)", scale: { type: "log" } },
            },
          },
          {
            data: { values: [{ target: targetMs }] },
            mark: { type: "rule", strokeDash: [6, 4], color: "#c00" },
            encoding: { y: { field: "target", type: "quantitative" } },
          },
        ],
      },
    ],
  };
}

export async function renderSvg(spec: ChartSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec as unknown as TopLevelSpec).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export function svgToPng(svg: string): Buffer {
  return new Resvg(svg, { fitTo: { mode: "zoom", value: 1.5 }, font: { loadSystemFonts: true, defaultFontFamily: FONT } }).render().asPng();
}

/** Writes NAME.svg (and NAME.png unless png is false) into dir; returns the file names. */
export async function writeChart(dir: string, name: string, spec: ChartSpec, png: boolean): Promise<string[]> {
  const svg = await renderSvg(spec);
  writeFileSync(join(dir, `${name}.svg`), svg);
  const files = [`${name}.svg`];
  if (png) {
    writeFileSync(join(dir, `${name}.png`), svgToPng(svg));
    files.push(`${name}.png`);
  }
  return files;
}

export function fmtMs(n: number | undefined): string {
  return n === undefined || !Number.isFinite(n) ? "–" : n >= 100 ? String(Math.round(n)) : n.toFixed(1);
}

/** Markdown table of the phases, for report.md and docs/benchmarks.md. */
export function phaseTable(results: PhaseResult[]): string {
  const lines = [
    "| phase | offered/s | completed/s | p50 ms | p99 ms | max ms | p99 to commit ms | unfinished | max lag | max sidecar queue | busy cores |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const r of results) {
    lines.push(
      `| ${r.label} | ${Math.round(r.offeredRate)} | ${Math.round(r.completedRate)} | ${fmtMs(r.latency.p50)} | ${fmtMs(r.latency.p99)} | ${fmtMs(r.latency.max)} | ${fmtMs(r.commitLatency.p99)} | ${r.unfinished} | ${r.maxLag ?? "–"} | ${r.maxSidecarQueued ?? "–"} | ${r.meanBusyCores} |`,
    );
  }
  return lines.join("\n");
}

export function saturationLine(s: Saturation): string {
  return `sustained ${s.sustainedRate === undefined ? "no step" : `${Math.round(s.sustainedRate)}/s (p99 ${fmtMs(s.sustainedP99)} ms)`}; saturated at ${s.saturatedAt === undefined ? "no step tried" : `${Math.round(s.saturatedAt)}/s`}; peak completed ${Math.round(s.peakCompletedRate)}/s (${s.criterion})`;
}
