/**
 * The drawing pad's image: strokes in image coordinates (fractions of a pixel allowed) are
 * stamped with a soft round brush into an 8-bit grayscale buffer the size of the model's raw
 * input (0 = background, like MNIST), then re-centered on its center of mass before classifying.
 * The rows changed since the last takeChangedRows() are tracked for the display.
 */
export class Canvas {
  readonly width: number;
  readonly height: number;
  readonly pixels: Uint8Array;
  readonly centered: Uint8Array;
  private readonly radius: number;
  private lastX = 0;
  private lastY = 0;
  private inked = false;
  private changedTop = Infinity;
  private changedBottom = -1;

  constructor(width: number, height: number, radius: number) {
    this.width = width;
    this.height = height;
    this.radius = radius;
    this.pixels = new Uint8Array(width * height);
    this.centered = new Uint8Array(width * height);
  }

  get empty(): boolean {
    return !this.inked;
  }

  clear(): void {
    this.pixels.fill(0);
    this.inked = false;
    this.changedTop = 0;
    this.changedBottom = this.height - 1;
  }

  /** The first and last rows changed since the last call, or null. */
  takeChangedRows(): [number, number] | null {
    if (this.changedBottom < this.changedTop) return null;
    const rows: [number, number] = [this.changedTop, this.changedBottom];
    this.changedTop = Infinity;
    this.changedBottom = -1;
    return rows;
  }

  begin(x: number, y: number): void {
    this.lastX = x;
    this.lastY = y;
    this.stamp(x, y);
  }

  lineTo(x: number, y: number): void {
    const dx = x - this.lastX;
    const dy = y - this.lastY;
    const steps = Math.max(1, Math.ceil(Math.sqrt(dx * dx + dy * dy) * 3));
    for (let i = 1; i <= steps; i++) this.stamp(this.lastX + (dx * i) / steps, this.lastY + (dy * i) / steps);
    this.lastX = x;
    this.lastY = y;
  }

  /** Copies the drawing into `centered`, shifted so its center of mass is the image center. */
  center(): Uint8Array {
    const { width, height, pixels, centered } = this;
    let mass = 0;
    let mx = 0;
    let my = 0;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const v = pixels[y * width + x];
        mass += v;
        mx += v * x;
        my += v * y;
      }
    }
    centered.fill(0);
    if (mass === 0) return centered;
    const shiftX = Math.round((width - 1) / 2 - mx / mass);
    const shiftY = Math.round((height - 1) / 2 - my / mass);
    for (let y = 0; y < height; y++) {
      const ty = y + shiftY;
      if (ty < 0 || ty >= height) continue;
      for (let x = 0; x < width; x++) {
        const tx = x + shiftX;
        if (tx >= 0 && tx < width) centered[ty * width + tx] = pixels[y * width + x];
      }
    }
    return centered;
  }

  private stamp(cx: number, cy: number): void {
    const r = this.radius;
    const x0 = Math.max(0, Math.floor(cx - r));
    const x1 = Math.min(this.width - 1, Math.ceil(cx + r));
    const y0 = Math.max(0, Math.floor(cy - r));
    const y1 = Math.min(this.height - 1, Math.ceil(cy + r));
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const d = Math.sqrt((x - cx) * (x - cx) + (y - cy) * (y - cy));
        if (d >= r) continue;
        const ink = Math.min(255, Math.round(((r - d) / r) * 2 * 255));
        const i = y * this.width + x;
        if (ink > this.pixels[i]) {
          this.pixels[i] = ink;
          if (y < this.changedTop) this.changedTop = y;
          if (y > this.changedBottom) this.changedBottom = y;
        }
        this.inked = true;
      }
    }
  }
}
