import assert from "node:assert/strict";
import { test } from "node:test";
import { DrainingError, OverloadedError, RequestAbortedError, SlotScheduler } from "../src/scheduler.ts";

const never = () => new AbortController().signal;

test("hands out free slots, then queues, then sheds with a retry hint", async () => {
  const s = new SlotScheduler(["a", "b"], 1);
  const l1 = await s.acquire(never());
  const l2 = await s.acquire(never());
  assert.deepEqual([l1.slot, l2.slot].sort(), ["a", "b"]);
  const queued = s.acquire(never());
  assert.equal(s.queued, 1);
  await assert.rejects(s.acquire(never()), (e: unknown) => e instanceof OverloadedError && e.retryAfterMs >= 100);
  l1.release();
  const l3 = await queued;
  assert.equal(l3.slot, l1.slot);
  assert.ok(l3.queuedMs >= 0);
  assert.equal(s.active, 2);
  l2.release();
  l3.release();
  assert.equal(s.active, 0);
});

test("a queued request whose signal aborts leaves the queue with the abort's reason", async () => {
  const s = new SlotScheduler(["a"], 4);
  const held = await s.acquire(never());
  const controller = new AbortController();
  const waiting = s.acquire(controller.signal);
  controller.abort(new RequestAbortedError("deadline"));
  await assert.rejects(waiting, (e: unknown) => e instanceof RequestAbortedError && e.kind === "deadline");
  assert.equal(s.queued, 0);
  held.release();
  assert.equal(s.active, 0);
});

test("the most recently released slot is reused first (its sequence holds the cached prompt prefix)", async () => {
  const s = new SlotScheduler(["a", "b", "c"], 0);
  const a = await s.acquire(never());
  const b = await s.acquire(never());
  b.release();
  a.release();
  assert.equal((await s.acquire(never())).slot, a.slot);
});

test("draining rejects new work and idle() waits for running work", async () => {
  const s = new SlotScheduler(["a"], 1);
  const lease = await s.acquire(never());
  s.startDrain();
  await assert.rejects(s.acquire(never()), DrainingError);
  let idle = false;
  const done = s.idle().then(() => (idle = true));
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(idle, false);
  lease.release();
  await done;
  assert.equal(idle, true);
});
