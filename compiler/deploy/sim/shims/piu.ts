/**
 * Stand-in for Piu (`piu/MC`) with just enough of the framework for the digits touch app:
 * contents with behaviors, a flat layout (left/top/right/bottom/width/height inside the
 * application), and touches replayed from the strokes file: each stroke is touch began, moved
 * (every 8 ms) and ended on the active content under it. Drawing calls are accepted and ignored.
 */
import { newTimer } from './host.ts';

declare const globalThis: Record<string, unknown> & {
  __tempoCimScreen?: { width: number; height: number };
  __tempoCimStrokes?: StrokeFile;
};

/** Strokes file: points are fractions (0..1) of the active content's width and height. */
export interface StrokeFile {
  digits: { label?: string; strokes: [number, number][][] }[];
}

type Dictionary = Record<string, unknown> & {
  left?: number; top?: number; right?: number; bottom?: number; width?: number; height?: number;
  active?: boolean; Behavior?: new () => BehaviorBase; contents?: ContentBase[]; string?: string;
};

class BehaviorBase {
  [key: string]: unknown;
}

class ContentBase {
  x = 0;
  y = 0;
  width = 0;
  height = 0;
  active: boolean;
  visible = true;
  behavior: BehaviorBase | null;
  readonly dictionary: Dictionary;
  container: ContentBase | null = null;

  constructor(data: unknown, dictionary: Dictionary = {}) {
    this.dictionary = dictionary;
    this.active = dictionary.active === true;
    this.behavior = dictionary.Behavior ? new dictionary.Behavior() : null;
    this.delegate('onCreate', data);
  }

  delegate(id: string, ...extras: unknown[]): unknown {
    const method = this.behavior?.[id];
    return typeof method === 'function' ? method.call(this.behavior, this, ...extras) : undefined;
  }

  layout(width: number, height: number): void {
    const d = this.dictionary;
    this.width = d.width ?? width - (d.left ?? 0) - (d.right ?? 0);
    this.height = d.height ?? height - (d.top ?? 0) - (d.bottom ?? 0);
    this.x = d.left ?? (d.right !== undefined ? width - d.right - this.width : 0);
    this.y = d.top ?? (d.bottom !== undefined ? height - d.bottom - this.height : 0);
  }

  invalidate(): void {}
  fillColor(): void {}
  drawString(): void {}
  drawContent(): void {}
  start(): void {}
  stop(): void {}
  bubble(id: string, ...extras: unknown[]): void {
    this.delegate(id, ...extras);
    this.container?.bubble(id, ...extras);
  }
  distribute(id: string, ...extras: unknown[]): void {
    this.delegate(id, ...extras);
  }
}

class ContainerBase extends ContentBase {
  contents: ContentBase[];
  constructor(data: unknown, dictionary: Dictionary = {}) {
    super(data, dictionary);
    this.contents = dictionary.contents ?? [];
    for (const content of this.contents) content.container = this;
  }
  add(content: ContentBase): void {
    this.contents.push(content);
    content.container = this;
  }
  override distribute(id: string, ...extras: unknown[]): void {
    this.delegate(id, ...extras);
    for (const content of this.contents) content.distribute(id, ...extras);
  }
}

class LabelBase extends ContentBase {
  string: string;
  constructor(data: unknown, dictionary: Dictionary = {}) {
    super(data, dictionary);
    this.string = dictionary.string ?? '';
  }
}

const STROKE_START_MS = 500;
const POINT_MS = 8;
const BETWEEN_DIGITS_MS = 1500;

class ApplicationBase extends ContainerBase {
  constructor(data: unknown, dictionary: Dictionary = {}) {
    super(data, dictionary);
    const screen = globalThis.__tempoCimScreen ?? { width: 320, height: 240 };
    this.layout(screen.width, screen.height);
    for (const content of this.contents) content.layout(this.width, this.height);
    this.distribute('onDisplaying');
    replayStrokes(this);
  }
}

function replayStrokes(app: ApplicationBase): void {
  const file = globalThis.__tempoCimStrokes;
  if (!file) return;
  let at = STROKE_START_MS;
  for (const digit of file.digits) {
    for (const stroke of digit.strokes) {
      stroke.forEach(([u, v], i) => {
        const phase = i === 0 ? 'onTouchBegan' : 'onTouchMoved';
        newTimer(() => touch(app, phase, u, v), at, 0);
        at += POINT_MS;
      });
      const [u, v] = stroke[stroke.length - 1];
      newTimer(() => touch(app, 'onTouchEnded', u, v), at, 0);
      at += POINT_MS * 4;
    }
    at += BETWEEN_DIGITS_MS;
  }
}

function touch(app: ApplicationBase, phase: string, u: number, v: number): void {
  const target = app.contents.find((c) => c.active && c.visible);
  if (!target) return;
  const x = target.x + u * target.width;
  const y = target.y + v * target.height;
  target.delegate(phase, 0, x, y, 0);
}

const rgb = (r: number, g: number, b: number): string => `rgb(${r},${g},${b})`;
const rgba = (r: number, g: number, b: number, a: number): string => `rgba(${r},${g},${b},${a})`;
class Skin {
  constructor(readonly dictionary: object) {}
}
class Style {
  constructor(readonly dictionary: object) {}
  measure(): { width: number; height: number } {
    return { width: 0, height: 0 };
  }
}
class Texture {
  constructor(readonly dictionary: object) {}
}

Object.assign(globalThis, {
  Behavior: BehaviorBase,
  Content: ContentBase,
  Container: ContainerBase,
  Column: ContainerBase,
  Row: ContainerBase,
  Layout: ContainerBase,
  Port: ContentBase,
  Label: LabelBase,
  Text: LabelBase,
  Application: ApplicationBase,
  Skin,
  Style,
  Texture,
  rgb,
  rgba,
});
