/**
 * At most `limit` holders at once, waiting in FIFO order; a waiter whose signal aborts
 * leaves the queue at once. (cockatiel's bulkhead is not used for this: a queued task
 * that is aborted never hands its turn on, so every task queued behind it waits forever.)
 */
export class Semaphore {
  readonly #limit: number;
  #active = 0;
  readonly #waiters: { grant: () => void; signal: AbortSignal; onAbort: () => void }[] = [];

  constructor(limit: number) {
    this.#limit = limit;
  }

  get active(): number {
    return this.#active;
  }

  get waiting(): number {
    return this.#waiters.length;
  }

  /** Runs `fn` once a slot is free; rejects with the signal's reason if aborted while waiting. */
  async run<T>(fn: () => Promise<T>, signal: AbortSignal): Promise<T> {
    await this.#acquire(signal);
    try {
      return await fn();
    } finally {
      this.#release();
    }
  }

  #acquire(signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    if (this.#active < this.#limit) {
      this.#active += 1;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter = {
        signal,
        grant: () => {
          signal.removeEventListener("abort", waiter.onAbort);
          resolve();
        },
        onAbort: () => {
          const i = this.#waiters.indexOf(waiter);
          if (i >= 0) this.#waiters.splice(i, 1);
          reject(signal.reason);
        },
      };
      signal.addEventListener("abort", waiter.onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }

  #release(): void {
    const next = this.#waiters.shift();
    // The slot passes straight to the next waiter, so the count stays as it is.
    if (next) next.grant();
    else this.#active -= 1;
  }
}
