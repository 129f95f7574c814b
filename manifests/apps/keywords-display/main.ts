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

const titleText = `Say ${words.join(", ")}`;
const title = new Label(null, { left: 0, right: 0, top: 8, height: LINE, style: small, string: titleText });
// The word fills the space between the two lines, whatever the screen's size and orientation.
const word = new Label(null, { left: 0, right: 0, top: 8 + LINE, bottom: 8 + LINE, style: large, string: "..." });
const detail = new Label(null, { left: 0, right: 0, bottom: 8, height: LINE, style: small, string: "listening" });

// Poco's display list holds one glyph record (up to 24 B on a 32-bit board) per character drawn in
// each dirty rectangle; Moddable's default 1,024 B overflow on a full redraw once the title lists
// ten words. Size it for every label's longest text in two rectangles: MAX_DETAIL_CHARS covers
// the word and the detail line ("at 1234.56 s, score 123456 (next 123456)").
const GLYPH_BYTES = 24;
const MAX_DETAIL_CHARS = 64;
const application: ApplicationContent = new Application(null, {
  displayListLength: 1024 + 2 * GLYPH_BYTES * (titleText.length + MAX_DETAIL_CHARS),
  skin: new Skin({ fill: "black" }),
  contents: [title, word, detail],
});
trace(`tempo-cim keywords: ${application.width}x${application.height} screen\n`);

listen(classifier, settings, (detection, seconds) => {
  word.string = detection.label;
  detail.string = `at ${seconds.toFixed(2)} s, score ${detection.score} (next ${detection.runnerUp})`;
});

export default application;
