import { test } from "node:test";
import assert from "node:assert/strict";
import { costPerMillion, distribution, parseDataset, parseTargetSpec, percentile, renderMarkdown, renderTerminal, buildReport } from "../src/index.ts";
import type { DocResult } from "../src/index.ts";

test("percentiles interpolate between ranks", () => {
  const xs = Array.from({ length: 100 }, (_, i) => i + 1); // 1..100
  assert.equal(percentile(xs, 0.5), 50.5);
  assert.ok(Math.abs(percentile(xs, 0.95) - 95.05) < 1e-9);
  assert.ok(Math.abs(percentile(xs, 0.99) - 99.01) < 1e-9);
  assert.equal(percentile([], 0.5), 0);
  const d = distribution([30, 10, 20, Number.NaN]);
  assert.equal(d.p50, 20);
  assert.equal(d.max, 30);
  assert.equal(d.mean, 20);
});

test("cost per million documents follows measured time and hourly price", () => {
  // 100 documents in 50 s on a $3.60/hour machine: 0.5 s per doc = $0.0005 per doc = $500 per million
  assert.ok(Math.abs(costPerMillion(3.6, 50, 100) - 500) < 1e-9);
  assert.equal(costPerMillion(3.6, 50, 0), 0);
});

test("target specs: sidecar addresses, pipeline, per-target price", () => {
  assert.deepEqual(parseTargetSpec("base=unix:///tmp/lre-inference.sock"), {
    name: "base",
    address: "unix:///tmp/lre-inference.sock",
    pipeline: false,
    pricePerHour: null,
    unit: null,
  });
  assert.deepEqual(parseTargetSpec("tuned=127.0.0.1:50051,price=2.49,unit=gpu-hour"), {
    name: "tuned",
    address: "127.0.0.1:50051",
    pipeline: false,
    pricePerHour: 2.49,
    unit: "gpu-hour",
  });
  assert.equal(parseTargetSpec("system=pipeline").pipeline, true);
  assert.throws(() => parseTargetSpec("nameless"));
  assert.throws(() => parseTargetSpec("x=not an address"));
  assert.throws(() => parseTargetSpec("x=localhost:1,colour=blue"));
});

test("datasets in the spec format load; lines without a label or with bad JSON are errors", () => {
  const ok = JSON.stringify({
    id: "a",
    kind: "statement",
    text: "t",
    expected: {
      liability_type: "heloc",
      lender_name: "X Bank",
      account_last4: null,
      current_balance: 1,
      payoff_amount: null,
      payoff_good_through: null,
      escrow_balance: null,
      interest_rate: null,
      monthly_payment: null,
      next_due_date: null,
      as_of_date: null,
    },
  });
  const docs = parseDataset(`${ok}\n\n`);
  assert.equal(docs.length, 1);
  assert.equal(docs[0]?.family, null);
  assert.throws(() => parseDataset(`${ok}\n${ok}`), /duplicate id/);
  assert.throws(() => parseDataset(JSON.stringify({ id: "b", kind: "statement", text: "t" })), /expected/);
  assert.throws(() => parseDataset("{not json"), /:1: not JSON/);
});

test("the table shows every target side by side with all measures", () => {
  const expected = {
    liability_type: "heloc" as const,
    lender_name: "X Bank",
    account_last4: null,
    current_balance: 1,
    payoff_amount: null,
    payoff_good_through: null,
    escrow_balance: null,
    interest_rate: null,
    monthly_payment: null,
    next_due_date: null,
    as_of_date: null,
  };
  const docs = parseDataset(JSON.stringify({ id: "a", kind: "statement", text: "t", expected }));
  const result = (output: DocResult["output"]): Map<string, DocResult> =>
    new Map([
      [
        "a",
        {
          id: "a",
          output,
          error: null,
          latencyMs: 120,
          serverMs: 100,
          promptTokens: 400,
          completionTokens: 90,
          truncated: false,
          confidence: null,
          status: null,
          reasons: [],
          model: { id: "m", version: "1", prompt: "p" },
        },
      ],
    ]);
  const run = { wallSeconds: 1, concurrency: 1 };
  const a = buildReport({ name: "base", mode: "sidecar", address: "x", docs, results: result({ ...expected, current_balance: 2 }), run, cost: null, worst: 5 });
  const b = buildReport({
    name: "tuned",
    mode: "sidecar",
    address: "y",
    docs,
    results: result(expected),
    run,
    cost: { pricePerHour: 1, unit: "gpu-hour" },
    worst: 5,
  });
  const text = renderTerminal([a, b], 5);
  for (const needle of [
    "record error rate",
    "latency p95",
    "latency p99",
    "tokens in / doc",
    "docs/s",
    "cost / 1M docs",
    "base",
    "tuned",
    "current_balance",
    "worst documents",
  ]) {
    assert.ok(text.includes(needle), `missing ${needle}`);
  }
  const md = renderMarkdown([a, b]);
  assert.match(md, /^\| target \| base \| tuned \|/);
  assert.match(md, /\| record error rate \| 100\.0% \(1\) \| 0\.0% \(0\) \|/);
});
