/** One-line progress bar on stderr (rewritten in place on a TTY, a line every 10% otherwise). */
export class Progress {
  private readonly start = Date.now();
  private lastDecile = -1;
  constructor(private readonly label: string, private readonly total: number) {}

  update(done: number, detail = ''): void {
    const fraction = this.total > 0 ? Math.min(1, done / this.total) : 1;
    const elapsed = (Date.now() - this.start) / 1000;
    const eta = fraction > 0 ? (elapsed / fraction) * (1 - fraction) : 0;
    const width = 24;
    const filled = Math.round(fraction * width);
    const text = `${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${this.total} ${detail} ${elapsed.toFixed(0)}s elapsed, ETA ${eta.toFixed(0)}s`;
    if (process.stderr.isTTY) {
      process.stderr.write(`\r${text.slice(0, (process.stderr.columns ?? 120) - 1)}\x1b[K`);
    } else {
      const decile = Math.floor(fraction * 10);
      if (decile !== this.lastDecile) {
        this.lastDecile = decile;
        process.stderr.write(`${text}\n`);
      }
    }
  }

  done(detail = ''): void {
    this.update(this.total, detail);
    if (process.stderr.isTTY) process.stderr.write('\n');
  }
}
