/**
 * The keyword loop shared by the keywords apps: 16 kHz microphone audio through
 * `embedded:io/audio/in` feeds the Spotter (./detector: the model's integer front-end, a verdict
 * on the latest 1 s window every hop, the detection rule); each detection is traced
 * (`heard "yes" at 1.25 s (score S, runner-up R)`) and handed to `onHeard`. On the desktop
 * simulators the microphone is the keyword.wav data resource (sim/audioin.ts).
 */
import AudioIn from "embedded:io/audio/in";
import { createAudioFrontend } from "tempo-cim-frontend";
import nativeFrontend from "tempo-cim-native-frontend";
import type { Classifier } from "./classify";
import { DEFAULT_DETECTOR, scoreUnit, Spotter, type Detection } from "./detector";

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
  const spotter = new Spotter(frontend, classifier.network, classifier.model.labels, classifier.codes, {
    ...DEFAULT_DETECTOR, hopMs: settings.hopMs, margin: settings.margin, earlyExit: settings.earlyExit, sampleRate: SAMPLE_RATE, unit: scoreUnit(classifier.model),
  }, (detection, samples) => {
    const seconds = samples / SAMPLE_RATE;
    trace(`heard "${detection.label}" at ${seconds.toFixed(2)} s (score ${detection.score}, runner-up ${detection.runnerUp})\n`);
    onHeard?.(detection, seconds);
  });
  const chunk = new Int16Array(512);
  const chunkBytes = new Uint8Array(chunk.buffer);

  const microphone = new AudioIn({
    sampleRate: SAMPLE_RATE,
    bitsPerSample: 16,
    channels: 1,
    onReadable(byteLength: number) {
      let samples = byteLength >> 1;
      while (samples > 0) {
        const take = Math.min(samples, chunk.length);
        // A whole chunk reads into the buffer itself; only a shorter tail needs a view.
        this.read(take === chunk.length ? chunkBytes : chunkBytes.subarray(0, take * 2));
        spotter.push(chunk, 0, take);
        samples -= take;
      }
    },
  });
  microphone.start();
  return microphone;
}
