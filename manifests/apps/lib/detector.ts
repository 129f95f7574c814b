/**
 * Keyword detection over a live 16 kHz stream, shared by the keywords apps (./listener) and
 * `tempo-cim eval --stream` (compiler/audio/stream-detect.ts), so the figures measured on the host
 * are those of the code the board runs.
 *
 * `Spotter` feeds the audio to the model's streaming front-end and classifies the latest 1 s
 * window every `hopMs` of audio (exactly, whatever the size of the chunks it is fed). `Detector`
 * turns those verdicts into detections: a keyword is reported when it wins a window by at least
 * `margin` over the runner-up, and not again until `holdMs` has passed. Labels
 * starting with '_' (_silence_, _unknown_) never fire.
 */
export interface Detection {
  label: string;
  score: number;
  runnerUp: number;
}

export interface DetectorSettings {
  /** Audio between two classifications of the latest window, in ms. */
  hopMs: number;
  /** Score lead over the runner-up a window needs to report its word. */
  margin: number;
  /** After a report, the same word is not reported again for this long (ms). */
  holdMs: number;
}

/** The app's defaults (`tempo-cim build --hop/--margin` override hop and margin). */
export const DEFAULT_DETECTOR: DetectorSettings = { hopMs: 250, margin: 0, holdMs: 1000 };

export class Detector {
  private readonly labels: string[];
  private readonly margin: number;
  private readonly holdMs: number;
  private lastLabel = -1;
  private lastAt = -Infinity;

  constructor(labels: string[], margin: number, holdMs: number) {
    this.labels = labels;
    this.margin = margin;
    this.holdMs = holdMs;
  }

  update(classIndex: number, scores: Int32Array, nowMs: number): Detection | null {
    const label = this.labels[classIndex] ?? String(classIndex);
    if (label.startsWith("_")) return null;
    const score = scores[classIndex];
    let runnerUp = -Infinity;
    for (let i = 0; i < scores.length; i++) if (i !== classIndex && scores[i] > runnerUp) runnerUp = scores[i];
    if (score - runnerUp < this.margin) return null;
    if (classIndex === this.lastLabel && nowMs - this.lastAt < this.holdMs) return null;
    this.lastLabel = classIndex;
    this.lastAt = nowMs;
    return { label, score, runnerUp };
  }
}

/** What the spotter needs of the runtime's streaming front-end (createAudioFrontend). */
export interface StreamingFrontend {
  readonly frames: number;
  readonly frameCount: number;
  push(pcm: Int16Array, offset?: number, count?: number): number;
  codes(out: Uint8Array): void;
}

/** What the spotter needs of the runtime's network (createNetwork). */
export interface Classifies {
  infer(codes: Uint8Array, options?: { earlyExit?: boolean }): { classIndex: number; scores: Int32Array };
}

export type OnHeard = (detection: Detection, samplesHeard: number) => void;

export class Spotter {
  private readonly frontend: StreamingFrontend;
  private readonly network: Classifies;
  private readonly detector: Detector;
  private readonly codes: Uint8Array;
  private readonly hopSamples: number;
  private readonly inferOptions: { earlyExit: boolean };
  private readonly sampleRate: number;
  private readonly onHeard: OnHeard;
  private sinceHop = 0;
  /** Samples fed so far. */
  heard = 0;

  constructor(frontend: StreamingFrontend, network: Classifies, labels: string[], codes: Uint8Array, settings: DetectorSettings & { earlyExit: boolean; sampleRate: number }, onHeard: OnHeard) {
    this.frontend = frontend;
    this.network = network;
    this.detector = new Detector(labels, settings.margin, settings.holdMs);
    this.codes = codes;
    this.hopSamples = Math.max(1, Math.round((settings.sampleRate * settings.hopMs) / 1000));
    // A margin is measured on the full scores; early termination stops once the class is settled,
    // leaving partial sums, so it is used only when any lead suffices.
    this.inferOptions = { earlyExit: settings.earlyExit && settings.margin <= 0 };
    this.sampleRate = settings.sampleRate;
    this.onHeard = onHeard;
  }

  /** Feeds pcm[offset..offset+count): classifies at every hop boundary inside it once the window is full. */
  push(pcm: Int16Array, offset = 0, count = pcm.length - offset): void {
    while (count > 0) {
      const take = count < this.hopSamples - this.sinceHop ? count : this.hopSamples - this.sinceHop;
      this.frontend.push(pcm, offset, take);
      offset += take;
      count -= take;
      this.heard += take;
      this.sinceHop += take;
      if (this.sinceHop < this.hopSamples) continue;
      this.sinceHop = 0;
      if (this.frontend.frameCount < this.frontend.frames) continue;
      this.frontend.codes(this.codes);
      const result = this.network.infer(this.codes, this.inferOptions);
      const detection = this.detector.update(result.classIndex, result.scores, (this.heard * 1000) / this.sampleRate);
      if (detection) this.onHeard(detection, this.heard);
    }
  }
}
