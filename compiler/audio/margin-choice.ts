/**
 * The keywords app's margin for a model: chosen on a stream of validation voices
 * (`tempo-cim eval MODEL --stream VAL.wav --choose-margin`) as the smallest margin of a grid whose
 * false alarms per hour stay within a bound, recorded in the model's provenance (`--save`:
 * `detector: { margin, hopMs, windows, leadCap, maxFalseAlarmsPerHour, chosenOn }`), and read back where a
 * margin is needed (`tempo-cim build --app keywords`, `tempo-cim eval --stream`) unless `--margin`
 * is given. The verdicts are computed once and the app's Detector is replayed for every margin.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { DEFAULT_DETECTOR, type DetectorSettings } from '../../manifests/apps/lib/detector.ts';
import { readProvenance, type Model } from '../../runtime/index.ts';
import { writeFileAtomic } from '../io/atomic.ts';
import { editProvenance } from '../tcm/edit.ts';
import { replayDetector, scoreStream, type StreamVerdicts } from './stream-detect.ts';
import type { StreamEvent } from './synth-stream.ts';

/** Margins tried: 0 to 40 in steps of 0.5 (score units, see scoreUnit). */
export const MARGIN_GRID = { from: 0, to: 40, step: 0.5 };
export const DEFAULT_MAX_FALSE_ALARMS_PER_HOUR = 6;

export interface MarginRow {
  margin: number;
  detected: number;
  detectionRate: number;
  falseAlarms: number;
  falseAlarmsPerHour: number;
}

export function marginGrid(grid = MARGIN_GRID): number[] {
  return Array.from({ length: Math.round((grid.to - grid.from) / grid.step) + 1 }, (_, i) => grid.from + i * grid.step);
}

/** Detection rate and false alarms at every margin: the app's Detector (its windows, cap and hold) replayed over the verdicts. */
export function sweepMargins(verdicts: StreamVerdicts, events: StreamEvent[], totalSamples: number, margins = marginGrid()): MarginRow[] {
  return margins.map((margin) => {
    const heard = replayDetector(verdicts, { ...DEFAULT_DETECTOR, margin });
    const { detected, detectionRate, falseAlarms, falseAlarmsPerHour } = scoreStream(heard, events, totalSamples);
    return { margin, detected, detectionRate, falseAlarms, falseAlarmsPerHour };
  });
}

/** The smallest margin of the sweep with at most `maxPerHour` false alarms per hour, or null. */
export function chooseMargin(rows: MarginRow[], maxPerHour: number): MarginRow | null {
  return rows.find((row) => row.falseAlarmsPerHour <= maxPerHour * (1 + 1e-12)) ?? null;
}

/** What `--save` records in the provenance under `detector`. */
export interface DetectorRecord {
  margin: number;
  hopMs: number;
  windows: number;
  leadCap: number;
  maxFalseAlarmsPerHour: number;
  chosenOn: {
    stream: string;
    /** The split the stream's voices come from, as its truth file records it (null if it does not). */
    split: string | null;
    minutes: number;
    keywords: number;
    detected: number;
    detectionRate: number;
    falseAlarms: number;
    falseAlarmsPerHour: number;
  };
}

export function detectorRecord(choice: MarginRow, stream: { path: string; split: string | null; samples: number; keywords: number }, hopMs: number, maxFalseAlarmsPerHour: number): DetectorRecord {
  const { margin, ...figures } = choice;
  return {
    margin,
    hopMs,
    windows: DEFAULT_DETECTOR.windows,
    leadCap: DEFAULT_DETECTOR.leadCap,
    maxFalseAlarmsPerHour,
    chosenOn: { stream: basename(stream.path), split: stream.split, minutes: Math.round(stream.samples / 16000 / 60 * 100) / 100, keywords: stream.keywords, ...figures },
  };
}

/** The model's recorded detector settings, or null (none, or not in the shape `--save` writes). */
export function recordedDetector(model: Model): DetectorRecord | null {
  const raw = readProvenance(model)?.detector as DetectorRecord | undefined;
  // Records written before the cap existed (4 verdicts, uncapped) read as leadCap 0: that rule.
  const record = raw && typeof raw === 'object' && raw.leadCap === undefined ? { ...raw, leadCap: 0 } : raw;
  const finite = (...values: unknown[]) => values.every((v) => typeof v === 'number' && Number.isFinite(v));
  const on = record?.chosenOn;
  const valid = record && finite(record.margin, record.hopMs, record.windows, record.leadCap, record.maxFalseAlarmsPerHour) && record.margin >= 0
    && on && typeof on.stream === 'string' && finite(on.minutes, on.detectionRate, on.falseAlarmsPerHour);
  return valid ? record : null;
}

/** Writes the record into the model file's provenance (atomically; every other section unchanged). */
export function saveDetectorRecord(modelPath: string, record: DetectorRecord): void {
  const bytes = new Uint8Array(readFileSync(modelPath));
  writeFileAtomic(modelPath, editProvenance(bytes, (old) => ({ ...old, detector: record })));
}

export interface ResolvedMargin {
  margin: number;
  from: 'flag' | 'model' | 'default';
  /** How it came about, for the user: e.g. "--margin", "recorded in the model: chosen on val30.wav for <= 6 false alarms/h". */
  source: string;
}

/**
 * The margin to use: `--margin` if given, else the model's recorded one if it was chosen for the
 * app's rule at this hop (the same verdicts summed and cap), else the app's default.
 */
export function resolveMargin(flag: number | undefined, model: Model, hopMs: number): ResolvedMargin {
  const record = recordedDetector(model);
  if (flag !== undefined) return { margin: flag, from: 'flag', source: `--margin${record && record.margin !== flag ? `; the model records ${record.margin}` : ''}` };
  if (!record) return { margin: DEFAULT_DETECTOR.margin, from: 'default', source: 'the default; the model records none' };
  const inUse = { ...DEFAULT_DETECTOR, hopMs };
  const rule = (s: Pick<DetectorSettings, 'hopMs' | 'windows' | 'leadCap'>) => `a ${s.hopMs} ms hop, ${s.windows} verdicts, leads capped at ${s.leadCap}`;
  if (record.hopMs !== inUse.hopMs || record.windows !== inUse.windows || record.leadCap !== inUse.leadCap) {
    return { margin: DEFAULT_DETECTOR.margin, from: 'default', source: `the default: the model's margin ${record.margin} was chosen for ${rule(record)}, not ${rule(inUse)}` };
  }
  return { margin: record.margin, from: 'model', source: `recorded in the model: chosen on ${record.chosenOn.stream} for <= ${record.maxFalseAlarmsPerHour} false alarms/h` };
}
