/**
 * Keyword detection over a long recording the way the keywords app does it
 * (manifests/apps/lib/listener.ts): the runtime's streaming front-end and the app's own Spotter
 * and Detector (manifests/apps/lib/detector.ts: a verdict on the latest 1 s window every hop, the
 * margin and hold rules). Then the detections are matched to the stream's ground truth.
 */
import { DEFAULT_DETECTOR, scoreUnit, Spotter, type Detection, type DetectorSettings } from '../../manifests/apps/lib/detector.ts';
import { createAudioFrontend } from '../../runtime/frontend/frontend.ts';
import { createNetwork, loadModel } from '../../runtime/index.ts';
import type { StreamEvent } from './synth-stream.ts';

export interface Heard extends Detection {
  /** Stream position (samples) when it was reported. */
  at: number;
}

/** The app's microphone chunk (samples); the Spotter's results do not depend on it. */
const CHUNK = 512;

export function detectStream(modelBytes: Uint8Array, samples: Int16Array, settings: Partial<DetectorSettings> & { earlyExit?: boolean } = {}): Heard[] {
  const model = loadModel(modelBytes);
  if (model.input.kind !== 'audio') throw new Error('not an audio model');
  const frontend = createAudioFrontend(model.input.frontend);
  const network = createNetwork(model);
  const heard: Heard[] = [];
  const spotter = new Spotter(frontend, network, model.labels, new Uint8Array(network.inputLength), {
    ...DEFAULT_DETECTOR, ...settings, earlyExit: settings.earlyExit ?? true, sampleRate: 16000, unit: scoreUnit(model),
  }, (detection, at) => heard.push({ ...detection, at }));
  for (let at = 0; at < samples.length; at += CHUNK) spotter.push(samples, at, Math.min(CHUNK, samples.length - at));
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
