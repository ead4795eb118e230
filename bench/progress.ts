// Progress on stderr, one line at a time (no bar redrawn in place, so it reads the same in a
// terminal, a CI log and a file): "[bench] lifecycle 120/500 briefs, 23.4/s, 5.1 s".

const MIN_INTERVAL_MS = 5_000;

export function note(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

export class Progress {
  private done = 0;
  private readonly startedAt = Date.now();
  private lastPrintedAt = 0;

  constructor(
    private readonly phase: string,
    private readonly total: number,
    private readonly unit: string,
  ) {
    note(`${phase}: 0/${total} ${unit}`);
  }

  tick(count = 1): void {
    this.done += count;
    const now = Date.now();
    if (this.done >= this.total || now - this.lastPrintedAt >= MIN_INTERVAL_MS) {
      this.lastPrintedAt = now;
      this.print(now);
    }
  }

  /** Elapsed milliseconds since the phase began. */
  get elapsedMs(): number {
    return Date.now() - this.startedAt;
  }

  private print(now: number): void {
    const seconds = (now - this.startedAt) / 1000;
    const rate = seconds > 0 ? this.done / seconds : 0;
    note(`${this.phase}: ${this.done}/${this.total} ${this.unit}, ${rate.toFixed(1)}/s, ${seconds.toFixed(1)} s`);
  }
}
