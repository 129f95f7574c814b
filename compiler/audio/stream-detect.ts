/**
 * Keyword detection over a long recording the way the keywords app does it
 * (manifests/apps/lib/listener.ts): the runtime's streaming front-end and the app's own Spotter
 * and Detector (manifests/apps/lib/detector.ts: a verdict on the latest 1 s window every hop, the
 * margin and hold rules). Then the detections are matched to the stream's ground truth.
 * `streamVerdicts` keeps every verdict's scores instead, and `replayDetector` runs the app's
 * Detector over them again, so many margins cost one pass of the network (`eval --choose-margin`).
 */
import { DEFAULT_DETECTOR, Detector, scoreUnit, Spotter, type Classifies, type Detection, type DetectorSettings, type OnHeard } from '../../manifests/apps/lib/detector.ts';
import { createAudioFrontend } from '../../runtime/frontend/frontend.ts';
import { createNetwork, loadModel } from '../../runtime/index.ts';
import type { StreamEvent } from './synth-stream.ts';

export interface Heard extends Detection {
  /** Stream position (samples) when it was reported. */
  at: number;
}

/** The app's microphone chunk (samples); the Spotter's results do not depend on it. */
const CHUNK = 512;
/** Stream samples between two progress calls (5 s of audio). */
const PROGRESS_EVERY = 16000 * 5;

export type StreamProgress = (samplesDone: number, samplesTotal: number) => void;

/**
 * The one way the host listens to a stream: the model's streaming front-end and network driven by
 * the app's Spotter, fed in microphone-sized chunks. `onVerdict` sees every verdict's full scores
 * (an array reused between calls) and the samples heard when it was taken.
 */
function listen(
  modelBytes: Uint8Array,
  samples: Int16Array,
  settings: DetectorSettings & { earlyExit: boolean },
  onHeard: OnHeard,
  onVerdict?: (scores: Int32Array, heard: number) => void,
  onProgress?: StreamProgress,
): { labels: string[]; unit: number } {
  const model = loadModel(modelBytes);
  if (model.input.kind !== 'audio') throw new Error('not an audio model');
  const frontend = createAudioFrontend(model.input.frontend);
  const network = createNetwork(model);
  const unit = scoreUnit(model);
  const tapped: Classifies = onVerdict
    ? { infer: (codes, options) => { const result = network.infer(codes, options); onVerdict(result.scores, spotter.heard); return result; } }
    : network;
  const spotter = new Spotter(frontend, tapped, model.labels, new Uint8Array(network.inputLength), { ...settings, sampleRate: 16000, unit }, onHeard);
  let report = PROGRESS_EVERY;
  for (let at = 0; at < samples.length; at += CHUNK) {
    spotter.push(samples, at, Math.min(CHUNK, samples.length - at));
    if (onProgress && at + CHUNK >= report) {
      onProgress(Math.min(at + CHUNK, samples.length), samples.length);
      report += PROGRESS_EVERY;
    }
  }
  return { labels: model.labels, unit };
}

/** What the keywords app would report over the stream with these settings (the app's defaults for the rest). */
export function detectStream(modelBytes: Uint8Array, samples: Int16Array, settings: Partial<DetectorSettings> & { earlyExit?: boolean } = {}, onProgress?: StreamProgress): Heard[] {
  const heard: Heard[] = [];
  listen(modelBytes, samples, { ...DEFAULT_DETECTOR, ...settings, earlyExit: settings.earlyExit ?? true }, (detection, at) => heard.push({ ...detection, at }), undefined, onProgress);
  return heard;
}

/** Every verdict of a stream: the network's full scores each hop, for replaying the Detector with other margins. */
export interface StreamVerdicts {
  labels: string[];
  /** The model's score unit (scoreUnit), which the margin is counted in. */
  unit: number;
  hopMs: number;
  /** Samples heard at each verdict. */
  at: Float64Array;
  /** Scores, verdict after verdict (labels.length each). */
  scores: Int32Array;
}

export function streamVerdicts(modelBytes: Uint8Array, samples: Int16Array, hopMs = DEFAULT_DETECTOR.hopMs, onProgress?: StreamProgress): StreamVerdicts {
  const at: number[] = [];
  const rows: Int32Array[] = [];
  // A margin nothing reaches: the Spotter's own Detector stays silent, and early exit stays off (full scores).
  const silent = { ...DEFAULT_DETECTOR, hopMs, margin: Infinity, earlyExit: false };
  const { labels, unit } = listen(modelBytes, samples, silent, () => {}, (scores, heard) => {
    rows.push(scores.slice());
    at.push(heard);
  }, onProgress);
  const scores = new Int32Array(rows.length * labels.length);
  rows.forEach((row, i) => scores.set(row, i * labels.length));
  return { labels, unit, hopMs, at: Float64Array.from(at), scores };
}

/** What the app's Detector reports over recorded verdicts with these settings (`detectStream`'s reports, when its early exit is off). */
export function replayDetector(verdicts: StreamVerdicts, settings: Omit<DetectorSettings, 'hopMs'>): Heard[] {
  const detector = new Detector(verdicts.labels, { ...settings, hopMs: verdicts.hopMs }, verdicts.unit);
  const n = verdicts.labels.length;
  const heard: Heard[] = [];
  for (let i = 0; i < verdicts.at.length; i++) {
    const at = verdicts.at[i];
    const detection = detector.update(verdicts.scores.subarray(i * n, (i + 1) * n), (at * 1000) / 16000);
    if (detection) heard.push({ ...detection, at });
  }
  return heard;
}

export interface StreamScore {
  keywords: number;
  detected: number;
  detectionRate: number;
  falseAlarms: number;
  hours: number;
  falseAlarmsPerHour: number;
  /**
   * False alarms by what the reporting window (the second before the report) mostly heard: a
   * keyword (reported again, or as another word), an unknown word, noise, silence; 'gap' when
   * no event overlaps it.
   */
  falseAlarmsDuring: Record<StreamEvent['kind'] | 'gap', number>;
}

/**
 * A keyword counts as detected when its label is reported while its clip plays or within 1 s after
 * (the window must have slid over it); every other report is a false alarm.
 */
export function scoreStream(heard: Pick<Heard, 'label' | 'at'>[], events: StreamEvent[], totalSamples: number): StreamScore {
  const keywords = events.filter((e) => e.kind === 'keyword');
  const used = new Set<Pick<Heard, 'label' | 'at'>>();
  let detected = 0;
  for (const e of keywords) {
    const hit = heard.find((h) => !used.has(h) && h.label === e.label && h.at >= e.start && h.at <= e.end + 16000);
    if (hit) {
      used.add(hit);
      detected++;
    }
  }
  const falseAlarms = heard.length - used.size;
  const falseAlarmsDuring: StreamScore['falseAlarmsDuring'] = { keyword: 0, unknown: 0, noise: 0, silence: 0, gap: 0 };
  for (const h of heard) if (!used.has(h)) falseAlarmsDuring[mostHeard(events, h.at - 16000, h.at)]++;
  const hours = totalSamples / 16000 / 3600;
  return { keywords: keywords.length, detected, detectionRate: detected / Math.max(1, keywords.length), falseAlarms, hours, falseAlarmsPerHour: falseAlarms / hours, falseAlarmsDuring };
}

/** The kind of the event that overlaps [from, to) the most ('gap' if none does). */
function mostHeard(events: StreamEvent[], from: number, to: number): StreamEvent['kind'] | 'gap' {
  let kind: StreamEvent['kind'] | 'gap' = 'gap';
  let most = 0;
  for (const e of events) {
    const overlap = Math.min(to, e.end) - Math.max(from, e.start);
    if (overlap > most) {
      most = overlap;
      kind = e.kind;
    }
  }
  return kind;
}
