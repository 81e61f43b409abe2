import assert from "node:assert/strict";
import { test } from "node:test";
import { AVERAGE_RATE, buildProfile, dailyShape, peakOfDailyShape } from "../src/profiles.ts";
import { meanRate } from "../src/stats.ts";

test("16M documents a day is 185 documents/s on average", () => {
  assert.equal(Math.round(AVERAGE_RATE), 185);
});

test("steady offers its rate for its whole duration", () => {
  const p = buildProfile("steady", { durationS: 60 });
  assert.equal(p.durationS, 60);
  assert.ok(Math.abs(meanRate(p.rate, 0, 60) - AVERAGE_RATE) < 1e-9);
});

test("the daily curve averages to the daily rate and peaks at about twice it", () => {
  let sum = 0;
  for (let m = 0; m < 24 * 60; m++) sum += dailyShape((m + 0.5) / 60);
  assert.ok(Math.abs(sum / (24 * 60) - 1) < 1e-3);
  const peak = peakOfDailyShape();
  assert.ok(peak > 1.8 && peak < 2.6, `peak/average ${peak}`);
  const p = buildProfile("daily", { durationS: 240 });
  assert.ok(Math.abs(meanRate(p.rate, 0, 240) / AVERAGE_RATE - 1) < 0.01);
  assert.ok(p.rate(0) < AVERAGE_RATE / 2, "night is quiet");
  assert.ok(p.rate(105) > AVERAGE_RATE * 1.5, "mid-morning is busy");
});

test("burst is ten times the base for a minute, base around it", () => {
  const p = buildProfile("burst", { rate: 100, durationS: 180 });
  const burst = p.phases.find((ph) => ph.label === "burst")!;
  assert.equal(burst.toS - burst.fromS, 60);
  assert.equal(p.rate(burst.fromS + 1), 1000);
  assert.equal(p.rate(burst.fromS - 1), 100);
  assert.equal(p.rate(burst.toS + 1), 100);
});

test("ramp climbs in equal steps to its maximum and may stop on saturation", () => {
  const p = buildProfile("ramp", { rate: 500, maxRate: 2000, stepS: 10 });
  assert.equal(p.durationS, 40);
  assert.deepEqual(
    p.phases.map((ph) => ph.rate),
    [500, 1000, 1500, 2000],
  );
  assert.equal(p.rate(0), 500);
  assert.equal(p.rate(15), 1000);
  assert.equal(p.rate(39.9), 2000);
  assert.equal(p.stopOnSaturation, true);
});
