import assert from "node:assert/strict";
import { test } from "node:test";
import { latencySpecSchema, parseLatency } from "../src/latency.ts";
import { seededRandom } from "../src/random.ts";

/** Nearest-rank percentile of sorted draws. */
function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function draws(spec: string, n = 20000): Float64Array {
  const d = parseLatency(spec);
  const random = seededRandom(1);
  return Float64Array.from({ length: n }, () => d.sample(random)).sort();
}

test("fixed and none", () => {
  assert.equal(parseLatency("none").sample(Math.random), 0);
  assert.equal(parseLatency("fixed:7.5").sample(Math.random), 7.5);
});

test("uniform stays in its bounds", () => {
  const d = draws("uniform:2-8");
  assert.ok(d[0]! >= 2 && d.at(-1)! <= 8);
  assert.ok(Math.abs(percentile(d, 50) - 5) < 0.2);
});

test("lognormal has the median and 99th percentile it was given", () => {
  const d = draws("lognormal:p50=4,p99=20", 100000);
  assert.ok(Math.abs(percentile(d, 50) - 4) < 0.15, `p50 ${percentile(d, 50)}`);
  assert.ok(Math.abs(percentile(d, 99) - 20) < 1.5, `p99 ${percentile(d, 99)}`);
});

test("a bad spec is rejected with the accepted forms", () => {
  assert.throws(() => parseLatency("gamma:3"), /expected none, fixed/);
  assert.match(latencySpecSchema.safeParse("gamma:3").error?.issues[0]?.message ?? "", /expected none, fixed/);
  assert.throws(() => parseLatency("uniform:8-2"), /upper bound/);
  assert.throws(() => parseLatency("lognormal:p50=10,p99=5"), /p50 <= p99/);
});

test("draws repeat for one seed", () => {
  const a = parseLatency("lognormal:p50=3,p99=15");
  const r1 = seededRandom(42);
  const r2 = seededRandom(42);
  for (let i = 0; i < 100; i++) assert.equal(a.sample(r1), a.sample(r2));
});
