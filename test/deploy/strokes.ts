/**
 * Hand-shaped digit strokes (fractions of the drawing pad) for the touch-app tests and the by-hand
 * mcsim check: one template per digit, dense points like a finger's trace, repeated with small
 * offsets and scales to make as many digits as asked.
 */
import type { StrokeFile } from '../../compiler/deploy/sim/shims/piu.ts';

type Point = [number, number];

/** Points along an ellipse arc (angles in turns, 0 = right, 0.25 = down). */
function arc(cx: number, cy: number, rx: number, ry: number, from: number, to: number, n = 24): Point[] {
  const out: Point[] = [];
  for (let i = 0; i <= n; i++) {
    const t = 2 * Math.PI * (from + ((to - from) * i) / n);
    out.push([cx + rx * Math.cos(t), cy + ry * Math.sin(t)]);
  }
  return out;
}

/** Points along a polyline, about `step` apart. */
function line(...corners: Point[]): Point[] {
  const out: Point[] = [corners[0]];
  for (let i = 1; i < corners.length; i++) {
    const [x0, y0] = corners[i - 1];
    const [x1, y1] = corners[i];
    const n = Math.max(1, Math.ceil(Math.hypot(x1 - x0, y1 - y0) / 0.03));
    for (let k = 1; k <= n; k++) out.push([x0 + ((x1 - x0) * k) / n, y0 + ((y1 - y0) * k) / n]);
  }
  return out;
}

const TEMPLATES: Point[][][] = [
  [arc(0.5, 0.5, 0.2, 0.32, -0.25, 0.75, 40)],
  [line([0.42, 0.25], [0.52, 0.16], [0.52, 0.84])],
  [[...arc(0.5, 0.34, 0.2, 0.17, -0.45, 0.1, 16), ...line([0.64, 0.48], [0.3, 0.82], [0.72, 0.82])]],
  [[...arc(0.48, 0.33, 0.18, 0.16, -0.4, 0.25, 16), ...arc(0.48, 0.65, 0.2, 0.18, -0.25, 0.4, 16)]],
  [line([0.6, 0.84], [0.6, 0.16], [0.28, 0.62], [0.76, 0.62])],
  [[...line([0.7, 0.18], [0.36, 0.18], [0.33, 0.46]), ...arc(0.5, 0.62, 0.2, 0.2, -0.35, 0.4, 18)]],
  [[...arc(0.6, 0.45, 0.28, 0.3, -0.35, -0.5, 10).reverse(), ...arc(0.5, 0.64, 0.18, 0.18, 0.5, 1.5, 24)]],
  [line([0.28, 0.18], [0.72, 0.18], [0.44, 0.84])],
  [[...arc(0.5, 0.32, 0.16, 0.15, 0.25, 1.25, 20), ...arc(0.5, 0.65, 0.2, 0.18, -0.25, 0.75, 20)]],
  [[...arc(0.5, 0.35, 0.18, 0.17, 0, 1, 24), ...line([0.68, 0.35], [0.64, 0.84])]],
];

/** `count` digits cycling 0..9, each drawn a little shifted and scaled; labels are what was meant. */
export function digitStrokes(count: number): StrokeFile {
  const digits: StrokeFile['digits'] = [];
  for (let i = 0; i < count; i++) {
    const digit = i % 10;
    const round = Math.floor(i / 10);
    const scale = 1 - 0.08 * (round % 3);
    const dx = 0.03 * ((round % 3) - 1);
    const dy = 0.03 * (((round + 1) % 3) - 1);
    const clamp = (v: number) => Math.min(1, Math.max(0, v));
    const strokes = TEMPLATES[digit].map((stroke) => stroke.map(([u, v]): [number, number] => [
      Number(clamp(0.5 + (u - 0.5) * scale + dx).toFixed(4)), Number(clamp(0.5 + (v - 0.5) * scale + dy).toFixed(4)),
    ]));
    digits.push({ label: String(digit), strokes });
  }
  return { digits };
}
