/**
 * tempo-cim digits (touch display): draw a digit with a finger on the pad; 700 ms after the last
 * stroke the drawing is classified on the device and the answer shown and traced to the console.
 */
import {} from "piu/MC";
import type { Label as LabelContent, Port as PortContent } from "piu/MC";
import config from "mc/config";
import Timer from "timer";
import { Canvas } from "./app/canvas";
import { openClassifier } from "./app/classify";
import type { ImageInput, ModelInput } from "tempo-cim-runtime";
import { KIND_PIXELS } from "./app/vectors";

const settings = config.tempoCim as { earlyExit: boolean; scratchBudget: number; device: string; screenWidth: number; screenHeight: number };

const classifier = openClassifier("model.tcm", settings.scratchBudget);
function imageInput(input: ModelInput): ImageInput {
  if (input.kind !== "image") throw new Error("the digits app needs an image model");
  return input;
}
const input = imageInput(classifier.model.input);

const STATUS_HEIGHT = 28;
const cell = Math.max(1, Math.floor(Math.min(settings.screenWidth, settings.screenHeight - STATUS_HEIGHT) / Math.max(input.srcWidth, input.srcHeight)));
const padWidth = cell * input.srcWidth;
const padHeight = cell * input.srcHeight;
const canvas = new Canvas(input.srcWidth, input.srcHeight, Math.max(input.srcWidth, input.srcHeight) / 20);
const SETTLE_MS = 700;

const statusStyle = new Style({ font: "semibold 18px Open Sans", color: "white", horizontal: "center" });

class PadBehavior extends Behavior {
  status: LabelContent | null = null;
  settle: Timer | null = null;
  showing = false;

  onCreate(port: PortContent, status: { label: LabelContent }): void {
    this.status = status.label;
  }

  onDraw(port: PortContent): void {
    port.fillColor("#202020", 0, 0, padWidth, padHeight);
    const pixels = canvas.pixels;
    for (let y = 0; y < input.srcHeight; y++) {
      for (let x = 0; x < input.srcWidth; x++) {
        const v = pixels[y * input.srcWidth + x];
        if (v) port.fillColor(rgb(v, v, v), x * cell, y * cell, cell, cell);
      }
    }
  }

  onTouchBegan(port: PortContent, id: number, x: number, y: number): void {
    if (this.settle) Timer.clear(this.settle);
    this.settle = null;
    if (this.showing) {
      canvas.clear();
      this.showing = false;
    }
    canvas.begin((x - port.x) / cell, (y - port.y) / cell);
    port.invalidate();
  }

  onTouchMoved(port: PortContent, id: number, x: number, y: number): void {
    canvas.lineTo((x - port.x) / cell, (y - port.y) / cell);
    port.invalidate();
  }

  onTouchEnded(port: PortContent): void {
    this.settle = Timer.set(() => this.classify(port), SETTLE_MS);
  }

  classify(port: PortContent): void {
    this.settle = null;
    if (canvas.empty) return;
    const result = classifier.classify(canvas.center(), KIND_PIXELS, settings.earlyExit);
    const scores = Array.from(result.scores).join(" ");
    trace(`digit: ${result.label} (scores ${scores}; ${result.ops.rowAdds} row adds)\n`);
    if (this.status) this.status.string = `I read ${result.label}`;
    this.showing = true;
    port.invalidate();
  }
}

trace(`tempo-cim digits on ${settings.device}: draw a digit on the ${padWidth}x${padHeight} pad\n`);

const status = new Label(null, { left: 0, right: 0, bottom: 0, height: STATUS_HEIGHT, style: statusStyle, string: "Draw a digit" });

export default new Application(null, {
  skin: new Skin({ fill: "black" }),
  contents: [
    new Port({ label: status }, { left: Math.floor((settings.screenWidth - padWidth) / 2), top: 0, width: padWidth, height: padHeight, active: true, Behavior: PadBehavior }),
    status,
  ],
});
