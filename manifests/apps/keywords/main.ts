/**
 * tempo-cim keywords (no display): listens to the microphone and traces each keyword heard with
 * its scores and the audio time (./app/listener); the serial console is the only output.
 */
import config from "mc/config";
import { openClassifier } from "./app/classify";
import { keywordsOf, listen } from "./app/listener";

const settings = config.tempoCim as { earlyExit: boolean; scratchBudget: number; device: string; hopMs: number; margin: number };

const classifier = openClassifier("model.tcm", settings.scratchBudget);
trace(`tempo-cim keywords on ${settings.device}: listening for ${keywordsOf(classifier).join(", ")}\n`);
listen(classifier, settings);
