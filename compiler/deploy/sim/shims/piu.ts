/**
 * Stand-in for Piu (`piu/MC`) with what the generated apps use: contents with behaviors and skins,
 * labels and ports, placed by their coordinates inside their container (left/right/width, centered
 * when neither side is given; same vertically) on a screen of the simulated size; `coordinates`
 * can be changed later. Drawing goes through ./view.ts, which models Piu's command list and
 * Poco's display list with the target's sizes and aborts like they do. Touches are replayed from
 * the strokes file: each stroke is touch began, moved (every 8 ms) and ended on the first active
 * content, points given as fractions of its bounds, rounded to whole pixels like a touch screen's.
 * Not modeled: Column/Row/Layout flow (they place contents like a Container), scrollers,
 * transitions, timelines, textures, fonts (labels are not measured), focus and keys.
 */
import { newTimer } from './host.ts';
import { View, intersect, type DisplayConfig, type Rect } from './view.ts';

declare const globalThis: Record<string, unknown> & {
  __tempoCimDisplay?: DisplayConfig;
  __tempoCimStrokes?: StrokeFile;
  __tempoCimView?: View;
};

/** Strokes file: points are fractions (0..1) of the active content's width and height. */
export interface StrokeFile {
  digits: { label?: string; strokes: [number, number][][] }[];
}

interface Coordinates {
  left?: number; top?: number; right?: number; bottom?: number; width?: number; height?: number;
}

type Dictionary = Record<string, unknown> & Coordinates & {
  active?: boolean; visible?: boolean; Behavior?: new () => BehaviorBase; contents?: ContentBase[];
  string?: string; skin?: Skin; style?: Style; commandListLength?: number; displayListLength?: number;
};

class BehaviorBase {
  [key: string]: unknown;
}

/** The simulated screen's view, created by the Application. */
let view: View | null = null;

function pick(c: Coordinates): Coordinates {
  const out: Coordinates = {};
  for (const key of ['left', 'top', 'right', 'bottom', 'width', 'height'] as const) if (typeof c[key] === 'number') out[key] = c[key];
  return out;
}

/** Position and size along one axis inside a container of `size`, like Piu's coordinates. */
function place(size: number, start: number | undefined, end: number | undefined, length: number | undefined): [number, number] {
  if (start !== undefined && end !== undefined) return [start, Math.max(0, size - start - end)];
  const extent = length ?? 0;
  if (start !== undefined) return [start, extent];
  if (end !== undefined) return [size - end - extent, extent];
  return [(size - extent) >> 1, extent];
}

class ContentBase {
  /** Global position and size, as Piu's content.x, .y, .width, .height. */
  x = 0;
  y = 0;
  width = 0;
  height = 0;
  active: boolean;
  behavior: BehaviorBase | null;
  skin: Skin | null;
  container: ContainerBase | null = null;
  private coords: Coordinates;
  private shown: boolean;

  constructor(data: unknown, dictionary: Dictionary = {}) {
    this.coords = pick(dictionary);
    this.active = dictionary.active === true;
    this.shown = dictionary.visible !== false;
    this.skin = dictionary.skin ?? null;
    this.behavior = dictionary.Behavior ? new dictionary.Behavior() : null;
    this.delegate('onCreate', data);
  }

  get coordinates(): Coordinates {
    return { ...this.coords };
  }

  set coordinates(value: Coordinates) {
    this.invalidate();
    this.coords = pick(value);
    if (this.container) this.layout(this.container);
    this.invalidate();
  }

  get visible(): boolean {
    return this.shown;
  }

  set visible(value: boolean) {
    if (value === this.shown) return;
    this.shown = value;
    view?.invalidate(this.bounds());
  }

  get application(): ApplicationBase | null {
    let content: ContentBase | null = this;
    while (content && !(content instanceof ApplicationBase)) content = content.container;
    return content;
  }

  bounds(): Rect {
    return { x: this.x, y: this.y, width: this.width, height: this.height };
  }

  delegate(id: string, ...extras: unknown[]): unknown {
    const method = this.behavior?.[id];
    return typeof method === 'function' ? method.call(this.behavior, this, ...extras) : undefined;
  }

  /** Places this content inside its container from its coordinates. */
  layout(container: ContentBase): void {
    const c = this.coords;
    const [x, width] = place(container.width, c.left, c.right, c.width);
    const [y, height] = place(container.height, c.top, c.bottom, c.height);
    this.x = container.x + x;
    this.y = container.y + y;
    this.width = width;
    this.height = height;
  }

  /** Invalidates the content's bounds (Port adds a rectangle of its own coordinates). */
  invalidate(): void {
    if (this.shown && this.width > 0 && this.height > 0) view?.invalidate(this.bounds());
  }

  /** Piu's update: draws the content when it is visible and meets the frame's area (screen coordinates). */
  update(target: View, area: Rect): void {
    if (!this.shown || !intersect(this.bounds(), area)) return;
    target.withOrigin(this.x, this.y, () => this.draw(target, { ...area, x: area.x - this.x, y: area.y - this.y }));
  }

  /** Draws the skin over the bounds; `area` is in the content's coordinates. */
  draw(target: View, _area: Rect): void {
    const fill = this.skin?.fill;
    if (fill !== undefined) target.fillColor(fill, 0, 0, this.width, this.height);
  }

  bubble(id: string, ...extras: unknown[]): void {
    this.delegate(id, ...extras);
    this.container?.bubble(id, ...extras);
  }

  distribute(id: string, ...extras: unknown[]): void {
    this.delegate(id, ...extras);
  }

  start(): void {}
  stop(): void {}
}

class ContainerBase extends ContentBase {
  contents: ContentBase[];

  constructor(data: unknown, dictionary: Dictionary = {}) {
    super(data, dictionary);
    this.contents = [];
    for (const content of dictionary.contents ?? []) this.add(content);
  }

  get first(): ContentBase | null {
    return this.contents[0] ?? null;
  }

  get length(): number {
    return this.contents.length;
  }

  add(content: ContentBase): void {
    this.contents.push(content);
    content.container = this;
    if (this.width > 0 || this.height > 0) {
      content.layout(this);
      if (content instanceof ContainerBase) content.layoutContents();
      content.invalidate();
    }
  }

  remove(content: ContentBase): void {
    const index = this.contents.indexOf(content);
    if (index < 0) return;
    content.invalidate();
    this.contents.splice(index, 1);
    content.container = null;
  }

  layoutContents(): void {
    for (const content of this.contents) {
      content.layout(this);
      if (content instanceof ContainerBase) content.layoutContents();
    }
  }

  override layout(container: ContentBase): void {
    super.layout(container);
    this.layoutContents();
  }

  override update(target: View, area: Rect): void {
    if (!this.visible) return;
    if (intersect(this.bounds(), area)) target.withOrigin(this.x, this.y, () => this.draw(target, { ...area, x: area.x - this.x, y: area.y - this.y }));
    for (const content of this.contents) content.update(target, area);
  }

  override distribute(id: string, ...extras: unknown[]): void {
    this.delegate(id, ...extras);
    for (const content of this.contents) content.distribute(id, ...extras);
  }
}

class LabelBase extends ContentBase {
  private text: string;
  readonly style: Style | null;

  constructor(data: unknown, dictionary: Dictionary = {}) {
    super(data, dictionary);
    this.text = dictionary.string ?? '';
    this.style = dictionary.style ?? null;
  }

  get string(): string {
    return this.text;
  }

  set string(value: string) {
    this.text = String(value);
    this.invalidate();
  }

  override draw(target: View, area: Rect): void {
    super.draw(target, area);
    if (this.text) target.drawString(this.text, this.style?.color, 0, 0, this.width, this.height);
  }
}

class PortBase extends ContentBase {
  private target: View | null = null;

  override draw(target: View, area: Rect): void {
    super.draw(target, area);
    this.target = target;
    try {
      this.delegate('onDraw', area.x, area.y, area.width, area.height);
    } finally {
      this.target = null;
    }
  }

  /** Piu throws "out of sequence" for a Port drawing call outside onDraw (and an invalidate inside it). */
  private drawing(): View {
    if (!this.target) throw new Error('out of sequence');
    return this.target;
  }

  fillColor(color: unknown, x: number, y: number, width: number, height: number): void {
    this.drawing().fillColor(color, x, y, width, height);
  }

  drawString(text: string, _style: Style, color: unknown, x: number, y: number, width: number, height: number): void {
    this.drawing().drawString(String(text), color, x, y, width, height);
  }

  pushClip(x = 0, y = 0, width = this.width, height = this.height): void {
    this.drawing().pushClip(x, y, width, height);
  }

  popClip(): void {
    this.drawing().popClip();
  }

  /** Invalidates a rectangle of the port's coordinates (the whole port without arguments). */
  override invalidate(x?: number, y?: number, width?: number, height?: number): void {
    if (this.target) throw new Error('out of sequence');
    if (x === undefined || y === undefined || width === undefined || height === undefined) {
      super.invalidate();
      return;
    }
    const part = intersect({ x: this.x + x, y: this.y + y, width, height }, this.bounds());
    if (this.visible && part) view?.invalidate(part);
  }

  drawContent(): void {
    throw new Error('the tempo-cim simulator does not model Port.drawContent');
  }
  drawTexture(): void {
    throw new Error('the tempo-cim simulator does not model Port.drawTexture');
  }
  fillTexture(): void {
    throw new Error('the tempo-cim simulator does not model Port.fillTexture');
  }
}

const STROKE_START_MS = 500;
const POINT_MS = 8;
const BETWEEN_DIGITS_MS = 1500;

class ApplicationBase extends ContainerBase {
  constructor(data: unknown, dictionary: Dictionary = {}) {
    super(data, dictionary);
    const config = globalThis.__tempoCimDisplay ?? { pointerBytes: 4, width: 320, height: 240 };
    view = new View(config, dictionary, (area) => this.update(view as View, area));
    globalThis.__tempoCimView = view;
    globalThis.application = this;
    this.width = config.width;
    this.height = config.height;
    this.layoutContents();
    view.invalidate();
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

function activeContent(container: ContainerBase): ContentBase | undefined {
  for (const content of container.contents) {
    if (!content.visible) continue;
    if (content.active) return content;
    if (content instanceof ContainerBase) {
      const inner = activeContent(content);
      if (inner) return inner;
    }
  }
  return undefined;
}

function touch(app: ApplicationBase, phase: string, u: number, v: number): void {
  const target = activeContent(app);
  if (!target) return;
  // Touch screens (and the desktop simulator's mouse) report whole pixels.
  target.delegate(phase, 0, Math.round(target.x + u * target.width), Math.round(target.y + v * target.height), 0);
}

const rgb = (r: number, g: number, b: number): string => `rgb(${r},${g},${b})`;
const rgba = (r: number, g: number, b: number, a: number): string => `rgba(${r},${g},${b},${a})`;
class Skin {
  readonly fill: unknown;
  constructor(readonly dictionary: { fill?: unknown; texture?: unknown }) {
    if (dictionary.texture) throw new Error('the tempo-cim simulator does not model texture skins');
    this.fill = dictionary.fill;
  }
}
class Style {
  readonly color: unknown;
  constructor(readonly dictionary: { color?: unknown }) {
    this.color = dictionary.color;
  }
  measure(): { width: number; height: number } {
    return { width: 0, height: 0 };
  }
}
class Texture {
  constructor() {
    throw new Error('the tempo-cim simulator does not model textures');
  }
}

Object.assign(globalThis, {
  Behavior: BehaviorBase,
  Content: ContentBase,
  Container: ContainerBase,
  Column: ContainerBase,
  Row: ContainerBase,
  Layout: ContainerBase,
  Port: PortBase,
  Label: LabelBase,
  Text: LabelBase,
  Application: ApplicationBase,
  Skin,
  Style,
  Texture,
  rgb,
  rgba,
});
