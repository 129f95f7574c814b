/**
 * The keyword loop shared by the keywords apps: 16 kHz microphone audio through
 * `embedded:io/audio/in` feeds the model's integer front-end; every hop the latest 1 s window is
 * classified, and each detection is traced (`heard "yes" at 1.25 s (score S, runner-up R)`) and
 * handed to `onHeard`. On the desktop simulators the microphone is the keyword.wav data resource
 * (sim/audioin.ts).
 */
import AudioIn from "embedded:io/audio/in";
import { createAudioFrontend } from "tempo-cim-frontend";
import nativeFrontend from "tempo-cim-native-frontend";
import type { Classifier } from "./classify";
import { Detector, type Detection } from "./detector";

export interface ListenSettings {
  earlyExit: boolean;
  hopMs: number;
  margin: number;
}

export const SAMPLE_RATE = 16000;

/** The words the model reports (labels starting with '_' never fire). */
export function keywordsOf(classifier: Classifier): string[] {
  return classifier.model.labels.filter((l) => !l.startsWith("_"));
}

export function listen(classifier: Classifier, settings: ListenSettings, onHeard?: (detection: Detection, seconds: number) => void): AudioIn {
  const input = classifier.model.input;
  if (input.kind !== "audio") throw new Error("the keywords app needs an audio model");
  // The native kernels run pre-emphasis, FFT, mel and log in C (same codes as the TypeScript front-end).
  const frontend = createAudioFrontend(input.frontend, { native: nativeFrontend });
  const detector = new Detector(classifier.model.labels, settings.margin, 1000);
  const hopSamples = (SAMPLE_RATE * settings.hopMs) / 1000;
  const chunk = new Int16Array(512);
  const chunkBytes = new Uint8Array(chunk.buffer);
  let heard = 0;
  let sinceHop = 0;

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
          if (detection) {
            const seconds = heard / SAMPLE_RATE;
            trace(`heard "${detection.label}" at ${seconds.toFixed(2)} s (score ${detection.score}, runner-up ${detection.runnerUp})\n`);
            onHeard?.(detection, seconds);
          }
        }
      }
    },
  });
  microphone.start();
  return microphone;
}
