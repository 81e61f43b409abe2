import assert from "node:assert/strict";
import { test } from "node:test";
import { latencySpec, renderSvg, svgToPng, throughputSpec } from "../src/report.ts";
import type { SecondPoint } from "../src/stats.ts";

const points: SecondPoint[] = Array.from({ length: 5 }, (_, t) => ({
  t,
  offered: 185,
  published: 185,
  completed: 180 + t,
  p50: 8 + t,
  p99: 20 + t,
  max: 30 + t,
  commitP99: 15,
  lag: 3,
  backlog: 5,
  sidecarQueued: 0,
  sidecarInFlight: 2,
  busyCores: 1.2,
  load1: 1,
  cpu: { worker: 0.5 },
  rssMiB: { worker: 200 },
}));

test("charts render headless to SVG and PNG", async () => {
  const svg = await renderSvg(latencySpec(points, "unit test", 100));
  assert.match(svg, /^<svg/);
  assert.match(svg, /End-to-end latency over time/);
  const png = svgToPng(await renderSvg(throughputSpec(points, "unit test")));
  assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47]);
});
