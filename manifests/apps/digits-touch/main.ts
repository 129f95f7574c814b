/**
 * tempo-cim digits (touch display): draw a digit with a finger on the pad; 700 ms after the last
 * stroke the drawing is classified on the device and the answer shown and traced to the console.
 *
 * The pad is the largest square of whole cells (one per model input pixel) that fits the
 * application's real size above the status line, in portrait or landscape. It is drawn as row
 * runs with a fixed budget per frame (./app/ink), and only the rows a stroke changed are
 * invalidated, so a frame fits Piu's command list and Poco's display list whatever is drawn.
 */
import {} from "piu/MC";
import type { Application as ApplicationContent, Label as LabelContent, Port as PortContent } from "piu/MC";
import config from "mc/config";
import Timer from "timer";
import { Canvas } from "./app/canvas";
import { openClassifier } from "./app/classify";
import { InkRows } from "./app/ink";
import type { ImageInput, ModelInput } from "tempo-cim-runtime";
import { KIND_PIXELS } from "./app/vectors";

const settings = config.tempoCim as { earlyExit: boolean; scratchBudget: number; device: string };

const classifier = openClassifier("model.tcm", settings.scratchBudget);
function imageInput(input: ModelInput): ImageInput {
  if (input.kind !== "image") throw new Error("the digits app needs an image model");
  return input;
}
const input = imageInput(classifier.model.input);

const STATUS_HEIGHT = 28;
const SETTLE_MS = 700;
/** Ink runs one frame may draw: a whole row always fits (at most one run per pixel). */
const RUNS_PER_FRAME = Math.max(40, input.srcWidth);
/** Rows invalidated at once when catching up. */
const BAND_ROWS = 4;
const BACKGROUND = "#202020";
const SHADES = ["#202020", "#707070", "#b8b8b8", "#ffffff"];

const canvas = new Canvas(input.srcWidth, input.srcHeight, Math.max(input.srcWidth, input.srcHeight) / 20);
const ink = new InkRows(input.srcWidth, input.srcHeight, RUNS_PER_FRAME);

const statusStyle = new Style({ font: "semibold 18px Open Sans", color: "white", horizontal: "center" });

class PadBehavior extends Behavior {
  status: LabelContent | null = null;
  settle: Timer | null = null;
  catchUp: Timer | null = null;
  showing = false;

  onCreate(port: PortContent, status: { label: LabelContent }): void {
    this.status = status.label;
  }

  cell(port: PortContent): number {
    return Math.max(1, Math.floor(port.width / input.srcWidth));
  }

  /** `x, y, width, height`: the frame's area in the port's coordinates. */
  onDraw(port: PortContent, x: number, y: number, width: number, height: number): void {
    const cell = this.cell(port);
    const left = Math.max(0, x);
    const top = Math.max(0, y);
    const right = Math.min(port.width, x + width);
    const bottom = Math.min(port.height, y + height);
    if (right <= left || bottom <= top) return;
    port.fillColor(BACKGROUND, left, top, right - left, bottom - top);
    ink.draw(canvas.pixels, Math.floor(top / cell), Math.ceil(bottom / cell) - 1, (x0, x1, row, level) => {
      port.fillColor(SHADES[level], x0 * cell, row * cell, (x1 - x0) * cell, cell);
    });
    // Invalidating while Piu draws would be lost: rows left stale are asked for on the next turn.
    if (ink.staleRows() && !this.catchUp) {
      this.catchUp = Timer.set(() => {
        this.catchUp = null;
        this.showStale(port);
      }, 0);
    }
  }

  /** Invalidates the first few stale rows (each frame then draws what its budget allows). */
  showStale(port: PortContent): void {
    const changed = canvas.takeChangedRows();
    if (changed) ink.markStale(changed[0], changed[1]);
    const stale = ink.staleRows();
    if (!stale) return;
    const cell = this.cell(port);
    const rows = Math.min(stale[1] - stale[0] + 1, BAND_ROWS);
    port.invalidate(0, stale[0] * cell, port.width, rows * cell);
  }

  onTouchBegan(port: PortContent, id: number, x: number, y: number): void {
    if (this.settle) Timer.clear(this.settle);
    this.settle = null;
    if (this.showing) {
      canvas.clear();
      this.showing = false;
    }
    const cell = this.cell(port);
    canvas.begin((x - port.x) / cell, (y - port.y) / cell);
    this.showStale(port);
  }

  onTouchMoved(port: PortContent, id: number, x: number, y: number): void {
    const cell = this.cell(port);
    canvas.lineTo((x - port.x) / cell, (y - port.y) / cell);
    this.showStale(port);
  }

  onTouchEnded(port: PortContent): void {
    this.settle = Timer.set(() => this.classify(), SETTLE_MS);
  }

  classify(): void {
    this.settle = null;
    if (canvas.empty) return;
    const result = classifier.classify(canvas.center(), KIND_PIXELS, settings.earlyExit);
    const scores = Array.from(result.scores).join(" ");
    trace(`digit: ${result.label} (scores ${scores}; ${result.ops.rowAdds} row adds)\n`);
    if (this.status) this.status.string = `I read ${result.label}`;
    this.showing = true;
  }
}

const status = new Label(null, { left: 0, right: 0, bottom: 0, height: STATUS_HEIGHT, style: statusStyle, string: "Draw a digit" });
const pad = new Port({ label: status }, { left: 0, top: 0, width: input.srcWidth, height: input.srcHeight, active: true, Behavior: PadBehavior });

const application: ApplicationContent = new Application(null, {
  skin: new Skin({ fill: "black" }),
  contents: [pad, status],
});

// Lay the pad out from the application's real size (the screen as the board or simulator has it).
const cell = Math.max(1, Math.floor(Math.min(application.width / input.srcWidth, (application.height - STATUS_HEIGHT) / input.srcHeight)));
const padWidth = cell * input.srcWidth;
const padHeight = cell * input.srcHeight;
const placement = {
  left: (application.width - padWidth) >> 1,
  top: Math.max(0, (application.height - STATUS_HEIGHT - padHeight) >> 1),
  width: padWidth,
  height: padHeight,
};
pad.coordinates = placement; // (@moddable/typings' Coordinates omits width and height, which Piu takes)
trace(`tempo-cim digits on ${settings.device}: draw a digit on the ${padWidth}x${padHeight} pad (${application.width}x${application.height} screen)\n`);

export default application;
