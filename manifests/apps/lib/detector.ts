/**
 * Keyword detection over a live 16 kHz stream, shared by the keywords apps (./listener) and
 * `tempo-cim eval --stream` (compiler/audio/stream-detect.ts), so the figures measured on the host
 * are those of the code the board runs.
 *
 * `Spotter` feeds the audio to the model's streaming front-end and classifies the latest 1 s
 * window every `hopMs` of audio (exactly, whatever the size of the chunks it is fed). `Detector`
 * turns those verdicts into detections: the scores of the last `windows` verdicts are summed, and
 * the word with the highest sum is reported when its lead reaches `margin` and nothing was
 * reported in the last `holdMs`. Its lead is the sum, over those verdicts, of its lead over each
 * verdict's runner-up capped at `leadCap` (`leadCap` 0: the summed score's lead over the summed
 * runner-up). The cap keeps one verdict with a huge lead (a window sliding over a word's edge) from
 * carrying the sum alone: a word must lead over most of the windows. Margin and cap are in units of
 * the last layer's threshold (`scoreUnit`: the integer that stands for 1.0 of the trained float
 * scores), so one setting means the same lead for models whose integer scores have different
 * scales. Labels starting with '_' (_silence_, _unknown_) never fire.
 */
export interface Detection {
  label: string;
  /** Summed score of the word and of the runner-up. */
  score: number;
  runnerUp: number;
}

export interface DetectorSettings {
  /** Audio between two classifications of the latest window, in ms. */
  hopMs: number;
  /** Verdicts whose scores are summed: the latest and the ones just before it. */
  windows: number;
  /** Lead needed to report a word, in score units (scoreUnit). */
  margin: number;
  /** Cap on each verdict's lead over its runner-up, in score units; 0: the lead of the summed scores. */
  leadCap: number;
  /** After a report, nothing is reported for this long (ms). */
  holdMs: number;
}

/**
 * The app's defaults (`tempo-cim build --hop/--margin` override hop and margin; a model's own
 * margin, chosen with `tempo-cim eval --choose-margin --save`, overrides the default margin),
 * chosen on streams of validation voices (docs/audio-frontend.md, "Test stream"): a 125 ms hop,
 * 6 verdicts with each lead capped at 8 units detected 86.0 % of four stream models' keywords at
 * 6 false alarms/h on average, where 4 verdicts summed uncapped detected 80.3 %; 15.5 is the
 * margin of the default set's stream model.
 */
export const DEFAULT_DETECTOR: DetectorSettings = { hopMs: 125, windows: 6, leadCap: 8, margin: 15.5, holdMs: 1000 };

/** The integer score that stands for 1.0: the mean threshold of the model's last layer. */
export function scoreUnit(model: { layers: ReadonlyArray<{ thresholds: Int32Array }> }): number {
  const thresholds = model.layers[model.layers.length - 1].thresholds;
  let sum = 0;
  for (let i = 0; i < thresholds.length; i++) sum += thresholds[i];
  return thresholds.length > 0 && sum > 0 ? sum / thresholds.length : 1;
}

export class Detector {
  private readonly labels: string[];
  private readonly settings: DetectorSettings;
  /** The margin and the cap in integer score units. */
  private readonly lead: number;
  private readonly cap: number;
  /** The last `windows` verdicts' scores (a ring; unfilled slots hold zeros), and their running sum. */
  private readonly recent: Int32Array[] = [];
  private readonly sum: Int32Array;
  private next = 0;
  private filled = 0;
  private lastAt = -Infinity;

  constructor(labels: string[], settings: DetectorSettings, unit = 1) {
    this.labels = labels;
    this.settings = settings;
    this.lead = settings.margin * unit;
    this.cap = settings.leadCap * unit;
    const windows = settings.windows > 1 ? settings.windows : 1;
    for (let k = 0; k < windows; k++) this.recent.push(new Int32Array(labels.length));
    this.sum = new Int32Array(labels.length);
  }

  update(scores: Int32Array, nowMs: number): Detection | null {
    const recent = this.recent;
    const sum = this.sum;
    const oldest = recent[this.next];
    for (let i = 0; i < sum.length; i++) sum[i] += scores[i] - oldest[i];
    oldest.set(scores);
    this.next = this.next + 1 === recent.length ? 0 : this.next + 1;
    if (this.filled < recent.length) this.filled++;
    let best = 0;
    for (let i = 1; i < sum.length; i++) if (sum[i] > sum[best]) best = i;
    const label = this.labels[best] ?? String(best);
    if (label.startsWith("_")) return null;
    const runnerUp = runnerUpOf(sum, best);
    let lead = sum[best] - runnerUp;
    if (this.cap > 0) {
      lead = 0;
      for (let k = 0; k < this.filled; k++) {
        const verdict = recent[k];
        const own = verdict[best] - runnerUpOf(verdict, best);
        lead += own < this.cap ? own : this.cap;
      }
    }
    if (lead < this.lead) return null;
    if (nowMs - this.lastAt < this.settings.holdMs) return null;
    this.lastAt = nowMs;
    return { label, score: sum[best], runnerUp };
  }
}

/** The highest score other than scores[best]. */
function runnerUpOf(scores: Int32Array, best: number): number {
  let runnerUp = -Infinity;
  for (let i = 0; i < scores.length; i++) if (i !== best && scores[i] > runnerUp) runnerUp = scores[i];
  return runnerUp;
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

  constructor(frontend: StreamingFrontend, network: Classifies, labels: string[], codes: Uint8Array, settings: DetectorSettings & { earlyExit: boolean; sampleRate: number; unit: number }, onHeard: OnHeard) {
    this.frontend = frontend;
    this.network = network;
    this.detector = new Detector(labels, settings, settings.unit);
    this.codes = codes;
    this.hopSamples = Math.max(1, Math.round((settings.sampleRate * settings.hopMs) / 1000));
    // Margins and sums are measured on the full scores; early termination stops once the class is
    // settled, leaving partial sums, so it is used only when one window's class is all that counts.
    this.inferOptions = { earlyExit: settings.earlyExit && settings.margin <= 0 && settings.windows <= 1 };
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
      const detection = this.detector.update(result.scores, (this.heard * 1000) / this.sampleRate);
      if (detection) this.onHeard(detection, this.heard);
    }
  }
}
