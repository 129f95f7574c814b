/**
 * The drawing side of the Piu stand-in, with the two fixed buffers of the real one that an app can
 * overflow (Moddable SDK 8.2: modules/piu/MC/piuView.c, modules/commodetto/commodettoPoco*):
 *
 * - Piu's command list: every drawing call of a frame (skins, labels, a Port's onDraw) queues a
 *   command of a fixed size; the list holds `commandListLength` bytes (Application dictionary,
 *   default 1,024; 1.5 times that on 64-bit hosts, where the commands hold 8-byte pointers). One
 *   byte too many throws "command list overflowed" from the drawing call.
 * - Poco's display list: at the end of the frame the dirty region is drawn band by band; for each
 *   rectangle the commands that reach it are replayed into Poco's display list
 *   (`displayListLength`, same defaults), clip pushes taking room at its end. A command that finds
 *   no room marks the list overflowed, and the frame then throws "display list overflowed".
 *
 * Command sizes are those of the C records for the target's pointer width (4: ESP32, 8: the
 * desktop simulator). Text is charged one glyph record per non-space character for every rectangle
 * the label's box reaches (the short RLE record when the box lies inside the clip horizontally,
 * else the clipped one: an upper bound). Not modeled: textures, the dirty region's own capacity,
 * pixel output.
 */
import { newTimer } from './host.ts';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface DisplayConfig {
  /** Pointer size of the target: 4 on ESP32 boards, 8 on the 64-bit desktop simulator. */
  pointerBytes: 4 | 8;
  width: number;
  height: number;
}

/** High-water marks of one run, reported to the host (`tempo-cim sim --stats`, tests). */
export interface DisplayFigures {
  commandListLength: number;
  commandListUsed: number;
  displayListLength: number;
  displayListUsed: number;
  frames: number;
  /** Rectangles drawn (Moddable's "Frames Drawn" counts these). */
  steps: number;
}

const RECORDS = {
  4: { fillColor: 12, drawString: 28, pushClip: 12, popClip: 4, end: 4, pocoFill: 12, pocoBlend: 16, pocoFillRoom: 14, pocoGlyph: 20, pocoGlyphClipped: 24, pocoGlyphRoom: 20, pocoClip: 8 },
  8: { fillColor: 12, drawString: 40, pushClip: 12, popClip: 4, end: 4, pocoFill: 12, pocoBlend: 16, pocoFillRoom: 14, pocoGlyph: 24, pocoGlyphClipped: 32, pocoGlyphRoom: 24, pocoClip: 8 },
} as const;

type Command =
  | { kind: 'fill'; rect: Rect; alpha: number }
  | { kind: 'text'; rect: Rect; glyphs: number; alpha: number }
  | { kind: 'push'; rect: Rect }
  | { kind: 'pop' };

export const DEFAULT_LIST_LENGTH = 1024;

export function intersect(a: Rect, b: Rect): Rect | null {
  const x = Math.max(a.x, b.x);
  const y = Math.max(a.y, b.y);
  const right = Math.min(a.x + a.width, b.x + b.width);
  const bottom = Math.min(a.y + a.height, b.y + b.height);
  return right > x && bottom > y ? { x, y, width: right - x, height: bottom - y } : null;
}

/** A region as Piu keeps it: horizontal bands, each a sorted list of disjoint spans, equal neighbours merged. */
export function bands(rects: Rect[]): Rect[] {
  const ys = [...new Set(rects.flatMap((r) => [r.y, r.y + r.height]))].sort((a, b) => a - b);
  const out: Rect[] = [];
  let previous: { spans: string; rects: Rect[] } | null = null;
  for (let i = 0; i + 1 < ys.length; i++) {
    const top = ys[i];
    const bottom = ys[i + 1];
    const spans = rects.filter((r) => r.y <= top && r.y + r.height >= bottom).map((r) => [r.x, r.x + r.width]).sort((a, b) => a[0] - b[0]);
    const merged: number[][] = [];
    for (const span of spans) {
      const last = merged[merged.length - 1];
      if (last && span[0] <= last[1]) last[1] = Math.max(last[1], span[1]);
      else merged.push([...span]);
    }
    const key = merged.map((s) => s.join(',')).join(';');
    if (previous && previous.spans === key && previous.rects.length > 0 && previous.rects[0].y + previous.rects[0].height === top) {
      for (const r of previous.rects) r.height += bottom - top;
      continue;
    }
    const row = merged.map(([left, right]) => ({ x: left, y: top, width: right - left, height: bottom - top }));
    out.push(...row);
    previous = { spans: key, rects: row };
  }
  return out;
}

/** Alpha (0..255) of a Piu color: '#rgb', '#rrggbb', '#rrggbbaa', 'rgb(..)', 'rgba(.., a)' or a few names. */
export function alphaOf(color: unknown): number {
  if (typeof color !== 'string') return 255;
  if (color === 'transparent') return 0;
  const hex = /^#([0-9a-f]{8})$/i.exec(color);
  if (hex) return parseInt(hex[1].slice(6), 16);
  const rgba = /^rgba\([^,]+,[^,]+,[^,]+,\s*([\d.]+)\s*\)$/.exec(color);
  if (rgba) return Math.round(Math.min(1, Number(rgba[1])) * 255);
  return 255;
}

export class View {
  readonly config: DisplayConfig;
  readonly figures: DisplayFigures;
  private readonly records: (typeof RECORDS)[4 | 8];
  private commands: Command[] = [];
  private commandBytes = 0;
  private dirty: Rect[] = [];
  private scheduled = false;
  private origin = { x: 0, y: 0 };
  private drawing = false;

  constructor(config: DisplayConfig, lengths: { commandListLength?: number; displayListLength?: number }, private readonly update: (area: Rect) => void) {
    this.config = config;
    this.records = RECORDS[config.pointerBytes];
    // Both C constructors add half again on 64-bit hosts "to compensate for bigger pointers".
    const grow = (n: number) => (config.pointerBytes > 4 ? n + (n >> 1) : n);
    this.figures = {
      commandListLength: grow(lengths.commandListLength ?? DEFAULT_LIST_LENGTH),
      commandListUsed: 0,
      displayListLength: grow(lengths.displayListLength ?? DEFAULT_LIST_LENGTH),
      displayListUsed: 0,
      frames: 0,
      steps: 0,
    };
  }

  /** Adds a rectangle (screen coordinates; the whole screen when omitted) to the dirty region and schedules a frame. */
  invalidate(rect?: Rect): void {
    const screen = { x: 0, y: 0, width: this.config.width, height: this.config.height };
    const area = rect ? intersect(rect, screen) : screen;
    if (area) this.dirty.push(area);
    if (!this.scheduled) {
      this.scheduled = true;
      newTimer(() => this.frame(), 1, 0);
    }
  }

  /** Screen offset of the content being drawn (Piu pushes each content's origin before drawing it). */
  withOrigin(x: number, y: number, draw: () => void): void {
    const saved = this.origin;
    this.origin = { x: saved.x + x, y: saved.y + y };
    try {
      draw();
    } finally {
      this.origin = saved;
    }
  }

  fillColor(color: unknown, x: number, y: number, width: number, height: number): void {
    if (!(width > 0 && height > 0)) return;
    this.queue(this.records.fillColor, { kind: 'fill', rect: this.global(x, y, width, height), alpha: alphaOf(color) });
  }

  drawString(text: string, color: unknown, x: number, y: number, width: number, height: number): void {
    const glyphs = [...text].filter((c) => c.trim() !== '').length;
    this.queue(this.records.drawString, { kind: 'text', rect: this.global(x, y, width, height), glyphs, alpha: alphaOf(color) });
  }

  pushClip(x: number, y: number, width: number, height: number): void {
    this.queue(this.records.pushClip, { kind: 'push', rect: this.global(x, y, width, height) });
  }

  popClip(): void {
    this.queue(this.records.popClip, { kind: 'pop' });
  }

  private global(x: number, y: number, width: number, height: number): Rect {
    return { x: this.origin.x + x, y: this.origin.y + y, width, height };
  }

  /** Appends a command (null: the end marker) to the frame's list, or throws as Piu does when it does not fit. */
  private queue(bytes: number, command: Command | null): void {
    if (!this.drawing) throw new Error('drawing outside of a frame (Port drawing calls belong in onDraw)');
    if (this.figures.commandListLength - this.commandBytes < bytes) throw new Error('command list overflowed');
    this.commandBytes += bytes;
    if (command) this.commands.push(command);
  }

  private frame(): void {
    this.scheduled = false;
    const region = bands(this.dirty);
    this.dirty = [];
    if (region.length === 0) return;
    const left = Math.min(...region.map((r) => r.x));
    const top = Math.min(...region.map((r) => r.y));
    const area = { x: left, y: top, width: Math.max(...region.map((r) => r.x + r.width)) - left, height: Math.max(...region.map((r) => r.y + r.height)) - top };
    this.commands = [];
    this.commandBytes = 0;
    this.drawing = true;
    try {
      this.update(area);
      this.queue(this.records.end, null);
    } finally {
      this.drawing = false;
    }
    this.figures.commandListUsed = Math.max(this.figures.commandListUsed, this.commandBytes);
    this.figures.frames++;
    for (const step of region) this.step(step);
  }

  /** Replays the frame's commands for one rectangle of the dirty region into Poco's display list. */
  private step(step: Rect): void {
    const r = this.records;
    const length = this.figures.displayListLength;
    let used = 0;
    let reserved = 0;
    let overflowed = false;
    const clips: Rect[] = [step];
    const room = (bytes: number) => {
      if (length - reserved - used < bytes) overflowed = true;
      return !overflowed;
    };
    for (const command of this.commands) {
      const clip = clips[clips.length - 1];
      if (command.kind === 'push') {
        if (length - reserved - r.pocoClip < used) overflowed = true;
        else reserved += r.pocoClip;
        clips.push(intersect(clip, command.rect) ?? { x: 0, y: 0, width: 0, height: 0 });
      } else if (command.kind === 'pop') {
        if (clips.length > 1) {
          clips.pop();
          reserved -= r.pocoClip;
        }
      } else if (command.kind === 'fill') {
        if (!room(r.pocoFillRoom)) continue;
        if (command.alpha > 0 && intersect(clip, command.rect)) used += command.alpha >= 255 ? r.pocoFill : r.pocoBlend;
      } else {
        // A glyph inside the clip takes the short RLE record; one the clip cuts, the full one.
        const inside = command.rect.x >= clip.x && command.rect.x + command.rect.width <= clip.x + clip.width;
        for (let g = 0; g < command.glyphs; g++) {
          if (!room(r.pocoGlyphRoom)) break;
          if (command.alpha > 0 && intersect(clip, command.rect)) used += inside ? r.pocoGlyph : r.pocoGlyphClipped;
        }
      }
      this.figures.displayListUsed = Math.max(this.figures.displayListUsed, used + reserved);
    }
    this.figures.steps++;
    if (overflowed) throw new Error('display list overflowed');
  }
}
