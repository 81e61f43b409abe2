import { test } from "node:test";
import assert from "node:assert/strict";
import { Semaphore } from "../src/semaphore.ts";

const tick = () => new Promise((r) => setTimeout(r, 5));

test("at most `limit` run at once, in arrival order", async () => {
  const s = new Semaphore(2);
  let running = 0;
  let peak = 0;
  const order: number[] = [];
  const never = new AbortController().signal;
  await Promise.all(
    Array.from({ length: 6 }, (_, i) =>
      s.run(async () => {
        running += 1;
        peak = Math.max(peak, running);
        order.push(i);
        await tick();
        running -= 1;
      }, never),
    ),
  );
  assert.equal(peak, 2);
  assert.deepEqual(order, [0, 1, 2, 3, 4, 5]);
  assert.equal(s.active, 0);
});

test("aborting waiters rejects them at once and does not strand the ones behind them", async () => {
  const s = new Semaphore(1);
  const stop = new AbortController();
  const never = new AbortController().signal;
  let release!: () => void;
  const holder = s.run(() => new Promise<void>((r) => (release = r)), never);
  const aborted = [s.run(async () => "a", stop.signal), s.run(async () => "b", stop.signal)];
  const behind = s.run(async () => "after", never);
  stop.abort(new Error("batch stopped"));
  for (const p of aborted) await assert.rejects(p, /batch stopped/);
  assert.equal(s.waiting, 1);
  release();
  await holder;
  assert.equal(await behind, "after");
  assert.equal(s.active, 0);
});

test("an already aborted signal never takes a slot", async () => {
  const s = new Semaphore(1);
  const stop = new AbortController();
  stop.abort(new Error("gone"));
  await assert.rejects(
    s.run(async () => 1, stop.signal),
    /gone/,
  );
  assert.equal(s.active, 0);
});
