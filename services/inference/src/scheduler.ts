/** The queue is full: the caller should retry after `retryAfterMs`. */
export class OverloadedError extends Error {
  readonly retryAfterMs: number;
  constructor(retryAfterMs: number, queued: number) {
    super(`inference queue is full (${queued} waiting); retry after ${retryAfterMs} ms`);
    this.name = "OverloadedError";
    this.retryAfterMs = retryAfterMs;
  }
}

/** The server is shutting down and takes no new work. */
export class DrainingError extends Error {
  constructor() {
    super("the inference server is shutting down");
    this.name = "DrainingError";
  }
}

export type AbortKind = "cancelled" | "deadline";

/** Used as an AbortSignal's reason, so the engine can tell a cancel from a deadline. */
export class RequestAbortedError extends Error {
  readonly kind: AbortKind;
  constructor(kind: AbortKind) {
    super(kind === "deadline" ? "deadline exceeded" : "request cancelled by the client");
    this.name = "RequestAbortedError";
    this.kind = kind;
  }
}

export function abortError(signal: AbortSignal): RequestAbortedError {
  return signal.reason instanceof RequestAbortedError ? signal.reason : new RequestAbortedError("cancelled");
}

export interface Lease<S> {
  readonly slot: S;
  /** Time spent waiting for the slot. */
  readonly queuedMs: number;
  release(): void;
}

interface Waiter<S> {
  enqueuedAt: number;
  signal: AbortSignal;
  resolve(lease: Lease<S>): void;
  reject(error: Error): void;
  onAbort(): void;
}

/**
 * Hands out a fixed set of slots (llama.cpp context sequences) to requests, first come first
 * served, with a bounded wait queue. When the queue is full a request is shed at once
 * rather than left to time out, and the error carries an estimate of when to retry.
 * Aborted waiters (client cancel, deadline) leave the queue immediately.
 */
export class SlotScheduler<S> {
  readonly slotCount: number;
  readonly maxQueue: number;
  // A stack: the most recently released slot is handed out first, because its sequence
  // still holds the evaluated system prompt, which the next request can reuse.
  readonly #free: S[];
  readonly #queue: Waiter<S>[] = [];
  #active = 0;
  #draining = false;
  #idleWaiters: (() => void)[] = [];
  // Exponentially weighted mean of how long a slot is held, for the retry hint.
  #meanHoldMs = 0;

  constructor(slots: readonly S[], maxQueue: number) {
    if (slots.length === 0) throw new Error("SlotScheduler needs at least one slot");
    this.#free = [...slots].reverse();
    this.slotCount = slots.length;
    this.maxQueue = maxQueue;
  }

  get active(): number {
    return this.#active;
  }

  get queued(): number {
    return this.#queue.length;
  }

  get draining(): boolean {
    return this.#draining;
  }

  /** Milliseconds until a queued request would probably start; the retry hint when shedding. */
  retryAfterMs(): number {
    const hold = this.#meanHoldMs > 0 ? this.#meanHoldMs : 1000;
    const estimate = (hold * (this.#queue.length + 1)) / this.slotCount;
    return Math.min(60_000, Math.max(100, Math.round(estimate)));
  }

  acquire(signal: AbortSignal): Promise<Lease<S>> {
    if (this.#draining) return Promise.reject(new DrainingError());
    if (signal.aborted) return Promise.reject(abortError(signal));
    const now = performance.now();
    const slot = this.#free.pop();
    if (slot !== undefined) {
      this.#active++;
      return Promise.resolve(this.#lease(slot, now, now));
    }
    if (this.#queue.length >= this.maxQueue) {
      return Promise.reject(new OverloadedError(this.retryAfterMs(), this.#queue.length));
    }
    return new Promise<Lease<S>>((resolve, reject) => {
      const waiter: Waiter<S> = {
        enqueuedAt: now,
        signal,
        resolve,
        reject,
        onAbort: () => {
          const index = this.#queue.indexOf(waiter);
          if (index >= 0) this.#queue.splice(index, 1);
          reject(abortError(signal));
          this.#notifyIdle();
        },
      };
      signal.addEventListener("abort", waiter.onAbort, { once: true });
      this.#queue.push(waiter);
    });
  }

  #lease(slot: S, requestedAt: number, grantedAt: number): Lease<S> {
    let released = false;
    return {
      slot,
      queuedMs: grantedAt - requestedAt,
      release: () => {
        if (released) return;
        released = true;
        const held = performance.now() - grantedAt;
        this.#meanHoldMs = this.#meanHoldMs === 0 ? held : this.#meanHoldMs * 0.8 + held * 0.2;
        this.#handOff(slot);
      },
    };
  }

  #handOff(slot: S): void {
    const waiter = this.#queue.shift();
    if (waiter === undefined) {
      this.#active--;
      this.#free.push(slot);
      this.#notifyIdle();
      return;
    }
    waiter.signal.removeEventListener("abort", waiter.onAbort);
    waiter.resolve(this.#lease(slot, waiter.enqueuedAt, performance.now()));
  }

  /** Stop admitting new requests; queued and running ones continue. */
  startDrain(): void {
    this.#draining = true;
  }

  /** Resolves once nothing is running or queued. */
  idle(): Promise<void> {
    if (this.#active === 0 && this.#queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #notifyIdle(): void {
    if (this.#active !== 0 || this.#queue.length !== 0) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
