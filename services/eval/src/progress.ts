/**
 * A progress line on stderr: a bar on a terminal, a line every 10% otherwise (CI logs).
 * Kept on stderr so that --json to stdout stays clean.
 */
export class Progress {
  private done = 0;
  private failed = 0;
  private readonly started = performance.now();
  private lastDecile = -1;
  private lastDraw = 0;
  private readonly tty: boolean;
  private readonly label: string;
  private readonly total: number;
  private readonly enabled: boolean;
  private readonly stream: NodeJS.WriteStream;

  constructor(label: string, total: number, enabled = true, stream: NodeJS.WriteStream = process.stderr) {
    this.label = label;
    this.total = total;
    this.enabled = enabled;
    this.stream = stream;
    this.tty = Boolean(stream.isTTY);
  }

  tick(ok: boolean): void {
    this.done++;
    if (!ok) this.failed++;
    if (!this.enabled) return;
    const now = performance.now();
    if (this.tty) {
      if (now - this.lastDraw > 100 || this.done === this.total) {
        this.lastDraw = now;
        this.stream.write(`\r${this.line()}`);
      }
    } else {
      const decile = Math.floor((this.done / this.total) * 10);
      if (decile !== this.lastDecile) {
        this.lastDecile = decile;
        this.stream.write(`${this.line()}\n`);
      }
    }
  }

  finish(): void {
    if (this.enabled && this.tty) this.stream.write("\n");
  }

  line(): string {
    const width = 28;
    const frac = this.total === 0 ? 1 : this.done / this.total;
    const filled = Math.round(frac * width);
    const elapsed = (performance.now() - this.started) / 1000;
    const rate = elapsed > 0 ? this.done / elapsed : 0;
    const eta = rate > 0 ? Math.round((this.total - this.done) / rate) : 0;
    const fails = this.failed ? `  ${this.failed} failed` : "";
    return `${this.label} [${"█".repeat(filled)}${"░".repeat(width - filled)}] ${this.done}/${this.total} ${(frac * 100).toFixed(0)}%  ${rate.toFixed(2)} docs/s  ETA ${eta}s${fails}`;
  }
}
