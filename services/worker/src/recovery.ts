import type { Logger } from "@liability/platform";
import type { MessageConsumer } from "./core/messaging.ts";
import type { WorkerMetrics } from "./metrics.ts";
import type { Dependency } from "./core/ports.ts";

export interface RecoveryOptions {
  consumer: MessageConsumer;
  /** True when the dependency answers again. */
  probes: Readonly<Record<Dependency, () => Promise<boolean>>>;
  intervalMs: number;
  logger: Logger;
  metrics: WorkerMetrics;
}

/**
 * While a dependency is down the consumer stays paused (its position kept, nothing
 * committed); this loop probes what is down and resumes consumption by itself once
 * everything answers.
 */
export class Recovery {
  readonly #o: RecoveryOptions;
  readonly #down = new Set<Dependency>();
  #loop: Promise<void> | undefined;
  #stopped = false;
  #timer: NodeJS.Timeout | undefined;
  #wakeSleep: (() => void) | undefined;

  constructor(options: RecoveryOptions) {
    this.#o = options;
  }

  get down(): readonly Dependency[] {
    return [...this.#down];
  }

  reportDown(dependency: Dependency): void {
    if (this.#stopped) return;
    if (!this.#down.has(dependency)) {
      this.#down.add(dependency);
      this.#o.metrics.pauses.add(1, { dependency });
      this.#o.logger.warn({ dependency }, "dependency down; consumption paused until it answers");
    }
    this.#o.consumer.pause();
    this.#o.metrics.setPaused(true);
    this.#loop ??= this.#run().finally(() => (this.#loop = undefined));
  }

  async #run(): Promise<void> {
    while (!this.#stopped && this.#down.size > 0) {
      await new Promise<void>((resolve) => {
        this.#timer = setTimeout(resolve, this.#o.intervalMs);
        this.#wakeSleep = resolve;
      });
      if (this.#stopped) return;
      for (const dependency of [...this.#down]) {
        const up = await this.#o.probes[dependency]().catch(() => false);
        if (up) {
          this.#down.delete(dependency);
          this.#o.logger.info({ dependency }, "dependency answers again");
        }
      }
    }
    if (!this.#stopped) {
      this.#o.metrics.setPaused(false);
      this.#o.consumer.resume();
    }
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#wakeSleep?.();
  }
}
