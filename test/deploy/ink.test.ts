import { describe, expect, it } from 'vitest';
import { InkRows, inkLevel } from '../../manifests/apps/lib/ink.ts';

function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
}

/** Frames of a full redraw until nothing is stale; the screen image they leave, and the runs per frame. */
function redraw(ink: InkRows, pixels: Uint8Array): { screen: Uint8Array; perFrame: number[] } {
  const screen = new Uint8Array(pixels.length).fill(255);
  const perFrame: number[] = [];
  ink.markStale(0, ink.height - 1);
  for (let stale = ink.staleRows(); stale; stale = ink.staleRows()) {
    // The frame's area: the stale rows; its background fill clears them first.
    screen.fill(0, stale[0] * ink.width, (stale[1] + 1) * ink.width);
    perFrame.push(ink.draw(pixels, stale[0], stale[1], (x0, x1, row, level) => screen.fill(level, row * ink.width + x0, row * ink.width + x1)));
    if (perFrame.length > 1000) throw new Error('no progress');
  }
  return { screen, perFrame };
}

describe('ink rows (touch pad drawing)', () => {
  it('shows every pixel at its level within the run budget per frame, whatever is drawn', () => {
    const rnd = random(5);
    for (const density of [0, 0.05, 0.3, 0.7, 1]) {
      const pixels = new Uint8Array(28 * 28).map(() => (rnd() < density ? 1 + Math.floor(rnd() * 255) : 0));
      const ink = new InkRows(28, 28, 40);
      const { screen, perFrame } = redraw(ink, pixels);
      expect(Array.from(screen)).toEqual(Array.from(pixels, inkLevel));
      expect(Math.max(...perFrame)).toBeLessThanOrEqual(40);
      if (density > 0.2) expect(perFrame.length).toBeGreaterThan(1);
    }
  });

  it('worst case: alternating shades make one run per pixel, one row still fits a frame', () => {
    const pixels = new Uint8Array(28 * 28).map((_, i) => (i % 2 ? 40 : 250));
    const ink = new InkRows(28, 28, 28);
    const { screen, perFrame } = redraw(ink, pixels);
    expect(Array.from(screen)).toEqual(Array.from(pixels, inkLevel));
    expect(perFrame).toEqual(new Array(28).fill(28));
    expect(() => new InkRows(28, 28, 27)).toThrow(/widest row/);
  });
});
