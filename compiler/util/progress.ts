/** Progress on stderr: a bar with ETA for counted work (rewritten in place on a TTY, a line every 10% otherwise), and a free-text status line. */
export class Progress {
  private lastDecile = -1;
  /** `start`: when the work began (for elapsed time and ETA), if before the bar. */
  constructor(private readonly label: string, private readonly total: number, private readonly start = Date.now()) {}

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

/**
 * A Progress bar that appears only once the work has run `afterMs` (short runs print nothing);
 * `finish()` completes it if it was shown.
 */
export function lateProgress(label: string, afterMs = 2000): { update(done: number, total: number): void; finish(): void } {
  const start = Date.now();
  let bar: Progress | null = null;
  return {
    update(done, total) {
      if (!bar && Date.now() - start >= afterMs) bar = new Progress(label, total, start);
      bar?.update(done);
    },
    finish() {
      bar?.done();
    },
  };
}

/**
 * A free-text status line on stderr: rewritten in place on a TTY (at most every 200 ms unless
 * forced), silent otherwise; `line()` prints a permanent line in both cases (epoch summaries).
 * Disabled (`--quiet`): prints nothing.
 */
export class StatusLine {
  private lastDraw = 0;
  private readonly tty = !!process.stderr.isTTY;
  constructor(private readonly enabled: boolean) {}

  update(text: string, force = false): void {
    if (!this.enabled || !this.tty) return;
    const now = Date.now();
    if (!force && now - this.lastDraw < 200) return;
    this.lastDraw = now;
    process.stderr.write(`\r\x1b[K${text}`);
  }

  line(text: string): void {
    if (!this.enabled) return;
    process.stderr.write(this.tty ? `\r\x1b[K${text}\n` : `${text}\n`);
  }
}
