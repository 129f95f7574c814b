/**
 * Draws the pad's image as row runs with a fixed budget per frame. Each image row is shown as runs
 * of equal ink level (INK_LEVELS shades over the background); a frame draws whole rows in order
 * until the next row would pass `runBudget` runs, and the rows it skips stay stale for the next
 * frames. So one frame queues at most runBudget + 1 fills whatever is drawn (Piu's command list
 * and Poco's display list hold a fixed number of bytes), and rows are never half drawn.
 */
export const INK_LEVELS = 3;

/** Shade of an ink value (1..255) among INK_LEVELS levels (1..INK_LEVELS); 0 stays background. */
export function inkLevel(value: number): number {
  return value === 0 ? 0 : 1 + ((value * INK_LEVELS) >> 8);
}

/** Receives one run: image columns [x0, x1) of `row` at `level`. */
export type RunSink = (x0: number, x1: number, row: number, level: number) => void;

export class InkRows {
  readonly width: number;
  readonly height: number;
  readonly runBudget: number;
  private readonly stale: Uint8Array;

  constructor(width: number, height: number, runBudget: number) {
    if (runBudget < width) throw new Error("the run budget must fit the widest row");
    this.width = width;
    this.height = height;
    this.runBudget = runBudget;
    this.stale = new Uint8Array(height);
  }

  /** Marks rows top..bottom (clamped, inclusive) as not shown yet. */
  markStale(top: number, bottom: number): void {
    for (let y = Math.max(0, top); y <= Math.min(this.height - 1, bottom); y++) this.stale[y] = 1;
  }

  /** The first and last stale rows, or null when the screen shows the whole image. */
  staleRows(): [number, number] | null {
    let first = -1;
    let last = -1;
    for (let y = 0; y < this.height; y++) {
      if (!this.stale[y]) continue;
      if (first < 0) first = y;
      last = y;
    }
    return first < 0 ? null : [first, last];
  }

  /** Number of runs of `row`, sent to `sink` when given. */
  runs(pixels: Uint8Array, row: number, sink?: RunSink): number {
    const base = row * this.width;
    let count = 0;
    let x = 0;
    while (x < this.width) {
      const level = inkLevel(pixels[base + x]);
      let end = x + 1;
      while (end < this.width && inkLevel(pixels[base + end]) === level) end++;
      if (level > 0) {
        count++;
        if (sink) sink(x, end, row, level);
      }
      x = end;
    }
    return count;
  }

  /**
   * Draws rows top..bottom (the frame's area, whose background was just filled): whole rows while
   * the budget lasts; the others are marked stale. Returns the number of runs sent.
   */
  draw(pixels: Uint8Array, top: number, bottom: number, sink: RunSink): number {
    let used = 0;
    for (let y = Math.max(0, top); y <= Math.min(this.height - 1, bottom); y++) {
      const count = this.runs(pixels, y);
      if (used + count > this.runBudget) {
        this.markStale(y, bottom);
        break;
      }
      this.runs(pixels, y, sink);
      used += count;
      this.stale[y] = 0;
    }
    return used;
  }
}
