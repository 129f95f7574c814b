/**
 * Keyword detection over a long recording the way the keywords app does it
 * (manifests/apps/lib/listener.ts): the runtime's streaming front-end, one inference per hop on the
 * latest 1 s window, and the app's own Detector (manifests/apps/lib/detector.ts: margin over the
 * runner-up, 1 s hold). Then the detections are matched to the stream's ground truth.
 */
import { Detector } from '../../manifests/apps/lib/detector.ts';
import { createAudioFrontend } from '../../runtime/frontend/frontend.ts';
import { createNetwork, loadModel } from '../../runtime/index.ts';
import type { StreamEvent } from './synth-stream.ts';

export interface Heard {
  label: string;
  /** Stream position (samples) when it was reported. */
  at: number;
}

export function detectStream(modelBytes: Uint8Array, samples: Int16Array, settings: { hopMs: number; margin: number; holdMs?: number }): Heard[] {
  const model = loadModel(modelBytes);
  if (model.input.kind !== 'audio') throw new Error('not an audio model');
  const frontend = createAudioFrontend(model.input.frontend);
  const network = createNetwork(model);
  const detector = new Detector(model.labels, settings.margin, settings.holdMs ?? 1000);
  const codes = new Uint8Array(frontend.frames * frontend.channels);
  const hop = (16000 * settings.hopMs) / 1000;
  const heard: Heard[] = [];
  let sinceHop = 0;
  for (let at = 0; at < samples.length; at += 512) {
    const take = Math.min(512, samples.length - at);
    frontend.push(samples, at, take);
    sinceHop += take;
    if (frontend.frameCount >= frontend.frames && sinceHop >= hop) {
      sinceHop = 0;
      frontend.codes(codes);
      const result = network.infer(codes);
      const detection = detector.update(result.classIndex, result.scores, ((at + take) * 1000) / 16000);
      if (detection) heard.push({ label: detection.label, at: at + take });
    }
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
}

/**
 * A keyword counts as detected when its label is reported while its clip plays or within 1 s after
 * (the window must have slid over it); every other report is a false alarm.
 */
export function scoreStream(heard: Heard[], events: StreamEvent[], totalSamples: number): StreamScore {
  const keywords = events.filter((e) => e.kind === 'keyword');
  const used = new Set<Heard>();
  let detected = 0;
  for (const e of keywords) {
    const hit = heard.find((h) => !used.has(h) && h.label === e.label && h.at >= e.start && h.at <= e.end + 16000);
    if (hit) {
      used.add(hit);
      detected++;
    }
  }
  const falseAlarms = heard.length - used.size;
  const hours = totalSamples / 16000 / 3600;
  return { keywords: keywords.length, detected, detectionRate: detected / Math.max(1, keywords.length), falseAlarms, hours, falseAlarmsPerHour: falseAlarms / hours };
}
