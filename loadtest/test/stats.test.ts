import assert from "node:assert/strict";
import { test } from "node:test";
import { OUTCOME_ACCEPTED, OUTCOME_REVIEW, RunState } from "../src/run-state.ts";
import { findSaturation, percentile, phaseResults, summarise, timeline, type PhaseResult } from "../src/stats.ts";

test("nearest-rank percentiles", () => {
  const sorted = Float64Array.from({ length: 100 }, (_, i) => i + 1);
  assert.equal(percentile(sorted, 50), 50);
  assert.equal(percentile(sorted, 99), 99);
  assert.equal(percentile(sorted, 100), 100);
  assert.ok(Number.isNaN(percentile([], 50)));
  const s = summarise([5, 1, 3]);
  assert.equal(s.p50, 3);
  assert.equal(s.max, 5);
  assert.equal(s.count, 3);
});

test("outcomes are filed by sequence number, once; duplicates and foreign ids are counted", () => {
  const state = new RunState("r1", 10);
  state.published = 3;
  for (let i = 0; i < 3; i++) state.sentAt[i] = 1000 + i;
  assert.equal(state.record("lt-r1-0", OUTCOME_ACCEPTED, 1010, 1020), true);
  assert.equal(state.record("lt-r1-0", OUTCOME_ACCEPTED, 1010, 1020), false);
  assert.equal(state.record("lt-r2-1", OUTCOME_ACCEPTED, 1010, 1020), false);
  assert.equal(state.record("lt-r1-7", OUTCOME_ACCEPTED, 1010, 1020), false, "beyond what was published");
  assert.equal(state.record("lt-r1-1", OUTCOME_REVIEW, undefined, 1031), true);
  assert.equal(state.duplicates, 1);
  assert.equal(state.foreign, 2);
  assert.equal(state.completed, 2);
  assert.equal(state.commitLatency[0], 10);
  assert.equal(state.observedLatency[1], 30);
  assert.ok(Number.isNaN(state.commitLatency[1]!));
});

test("timeline bins completions by completion second and phases by publish time", () => {
  const state = new RunState("r", 100);
  const start = 1_000_000;
  state.published = 4;
  [0, 100, 1100, 1900].forEach((ms, i) => {
    state.sentAt[i] = start + ms;
  });
  state.record("lt-r-0", OUTCOME_ACCEPTED, undefined, start + 50);
  state.record("lt-r-1", OUTCOME_ACCEPTED, undefined, start + 1200);
  state.record("lt-r-2", OUTCOME_ACCEPTED, undefined, start + 1150);
  const machine = { busyCores: 1, load1: 1, processes: [], otherCores: 0 };
  const points = timeline(state, start, [2, 2], [{ t: 1, lag: 1, backlog: 1, sidecar: { queued: 0, inFlight: 1 }, machine }]);
  assert.equal(points.length, 2);
  assert.equal(points[0]!.published, 2);
  assert.equal(points[0]!.completed, 1);
  assert.equal(points[1]!.completed, 2);
  assert.equal(points[1]!.max, 1100);
  const [p] = phaseResults(state, start, [{ label: "all", fromS: 0, toS: 2 }], points, () => 2);
  assert.equal(p!.unfinished, 1);
  assert.equal(p!.latency.count, 3);
  assert.equal(p!.offeredRate, 2);
});

test("saturation is the first step that falls behind or misses the target", () => {
  const step = (offered: number, completed: number, p99: number, unfinished = 0) =>
    ({ offeredRate: offered, completedRate: completed, unfinished, latency: { count: 10, p99 } }) as unknown as PhaseResult;
  const s = findSaturation([step(500, 500, 20), step(1000, 995, 40), step(1500, 1300, 900, 2000), step(2000, 1400, 5000, 9000)], 100);
  assert.equal(s.sustainedRate, 1000);
  assert.equal(s.sustainedP99, 40);
  assert.equal(s.saturatedAt, 1500);
  assert.equal(s.peakCompletedRate, 1400);
});
