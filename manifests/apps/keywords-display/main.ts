/**
 * tempo-cim keywords (display): listens like the headless app (./app/listener traces each word)
 * and shows the last word heard, its score and time on the screen, laid out from the application's
 * real size. Each detection changes two labels, so a frame draws a few strings and fills.
 */
import {} from "piu/MC";
import type { Application as ApplicationContent } from "piu/MC";
import config from "mc/config";
import { openClassifier } from "./app/classify";
import { keywordsOf, listen } from "./app/listener";

const settings = config.tempoCim as { earlyExit: boolean; scratchBudget: number; device: string; hopMs: number; margin: number };

const classifier = openClassifier("model.tcm", settings.scratchBudget);
const words = keywordsOf(classifier);
trace(`tempo-cim keywords on ${settings.device}: listening for ${words.join(", ")}\n`);

const small = new Style({ font: "semibold 18px Open Sans", color: "#a0a0a0", horizontal: "center" });
const large = new Style({ font: "semibold 28px Open Sans", color: "white", horizontal: "center" });
const LINE = 32;

const title = new Label(null, { left: 0, right: 0, top: 8, height: LINE, style: small, string: `Say ${words.join(", ")}` });
// The word fills the space between the two lines, whatever the screen's size and orientation.
const word = new Label(null, { left: 0, right: 0, top: 8 + LINE, bottom: 8 + LINE, style: large, string: "..." });
const detail = new Label(null, { left: 0, right: 0, bottom: 8, height: LINE, style: small, string: "listening" });

const application: ApplicationContent = new Application(null, {
  skin: new Skin({ fill: "black" }),
  contents: [title, word, detail],
});
trace(`tempo-cim keywords: ${application.width}x${application.height} screen\n`);

listen(classifier, settings, (detection, seconds) => {
  word.string = detection.label;
  detail.string = `at ${seconds.toFixed(2)} s, score ${detection.score} (next ${detection.runnerUp})`;
});

export default application;
