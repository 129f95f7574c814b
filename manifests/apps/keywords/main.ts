/**
 * tempo-cim keywords: 16 kHz microphone audio through `embedded:io/audio/in` feeds the model's
 * integer front-end; every hop the latest 1 s window is classified and keywords are printed with
 * their scores and the audio time they were heard at. On the desktop simulators the microphone
 * is the keyword.wav data resource (sim/audioin.ts).
 */
import AudioIn from "embedded:io/audio/in";
import config from "mc/config";
import { createAudioFrontend } from "tempo-cim-runtime";
import { openClassifier } from "./app/classify";
import { Detector } from "./app/detector";

const settings = config.tempoCim as { earlyExit: boolean; scratchBudget: number; device: string; hopMs: number; margin: number };

const SAMPLE_RATE = 16000;
const classifier = openClassifier("model.tcm", settings.scratchBudget);
const input = classifier.model.input;
if (input.kind !== "audio") throw new Error("the keywords app needs an audio model");
const frontend = createAudioFrontend(input.frontend);
const detector = new Detector(classifier.model.labels, settings.margin, 1000);
const hopSamples = (SAMPLE_RATE * settings.hopMs) / 1000;
const chunk = new Int16Array(512);
const chunkBytes = new Uint8Array(chunk.buffer);
let heard = 0;
let sinceHop = 0;

trace(`tempo-cim keywords on ${settings.device}: listening for ${classifier.model.labels.filter((l) => !l.startsWith("_")).join(", ")}\n`);

const microphone = new AudioIn({
  sampleRate: SAMPLE_RATE,
  bitsPerSample: 16,
  channels: 1,
  onReadable(byteLength: number) {
    let samples = byteLength >> 1;
    while (samples > 0) {
      const take = Math.min(samples, chunk.length);
      const view = take === chunk.length ? chunk : chunk.subarray(0, take);
      this.read(chunkBytes.subarray(0, take * 2));
      frontend.push(view);
      heard += take;
      sinceHop += take;
      samples -= take;
      if (frontend.frameCount >= frontend.frames && sinceHop >= hopSamples) {
        sinceHop = 0;
        frontend.codes(classifier.codes);
        const result = classifier.network.infer(classifier.codes, { earlyExit: settings.earlyExit });
        const detection = detector.update(result.classIndex, result.scores, (heard * 1000) / SAMPLE_RATE);
        if (detection) trace(`heard "${detection.label}" at ${(heard / SAMPLE_RATE).toFixed(2)} s (score ${detection.score}, runner-up ${detection.runnerUp})\n`);
      }
    }
  },
});
microphone.start();
