/**
 * `tempo-cim train --dataset keywords`: the keywords pipeline (compiler/pipelines/keywords.ts)
 * from command-line options.
 */
import { CliError, intOption, parseIntList, realOption } from '../util/args.ts';
import { defaultWaveAugment } from '../audio/augment-wave.ts';
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { DISTILL_DEFAULTS, type DistillJob, type KeywordTrainResult, trainKeywords } from '../pipelines/keywords.ts';
import { FRONTEND_NORMALIZATIONS, type FrontendNormalization } from '../audio/frontend-design.ts';
import { defaultKeywordArchitecture, keywordFrontendDefaults, keywordTrainDefaults } from '../train/keywords.ts';
import type { TrainOptions } from '../train/trainer.ts';

export type { KeywordTrainResult };

/**
 * Keyword training: `common` are the options shared with digits (parsed by optionsFromArgs: epochs,
 * seed, batch, lr, shift, workers, mode, ...), `o` the raw arguments for the keyword-only ones.
 */
export async function trainKeywordsAndWrite(o: Record<string, string | number | boolean | undefined>, common: Partial<TrainOptions>, log: (s: string) => void = (s) => console.error(s)): Promise<KeywordTrainResult> {
  if (typeof o.data !== 'string') throw new CliError('--data DIR is required for --dataset keywords (a Speech Commands folder, e.g. from `tempo-cim data keywords`)');
  if (o.hidden !== undefined || o.input !== undefined) throw new CliError('--hidden and --input apply to mnist; keyword models take --channels, --kernel and --stride');
  const int = (name: string, min: number, max: number) => intOption(o, name, min, max);
  const architecture = {
    ...defaultKeywordArchitecture,
    ...(o.channels !== undefined ? { channels: parseIntList(String(o.channels), 'channels') } : {}),
    ...(o.kernel !== undefined ? { kernel: int('kernel', 1, 49)! } : {}),
    ...(o.stride !== undefined ? { stride: int('stride', 1, 49)! } : {}),
  };
  if (o.rotate !== undefined || o.zoom !== undefined) throw new CliError('--rotate and --zoom apply to mnist; keyword models take --shift (time) and --mask-time / --mask-freq');
  const maskTime = int('mask-time', 0, 49);
  const maskFreq = int('mask-freq', 0, 64);
  const warpFreq = realOption(o, 'warp-freq', 0, 0.5);
  const tilt = realOption(o, 'tilt', 0, 8);
  const warpTime = realOption(o, 'warp-time', 0, 0.5);
  const gainContour = realOption(o, 'gain-contour', 0, 8);
  const mixup = realOption(o, 'mixup', 0, 1);
  const trainUnknownFraction = realOption(o, 'unknown-fraction', 0, 1);
  const limitPerClass = int('limit', 1, 1e9);
  const streamWindows = int('stream-windows', 0, 1e7);
  const out = (o.out as string | undefined) ?? 'model.tcm';
  const options: Partial<TrainOptions> = {
    ...common,
    checkpoint: (o.checkpoint as string | undefined) ?? `${out}.ckpt`,
    resume: !!o.resume,
    progress: !o.quiet,
    // --shift for keywords: frames of time shift only (shifting across mel channels changes the word).
    ...(o.shift === undefined ? { shift: keywordTrainDefaults.shift } : {}),
    shiftX: 0,
    ...(maskTime !== undefined ? { maskRows: maskTime } : {}),
    ...(maskFreq !== undefined ? { maskCols: maskFreq } : {}),
    ...(warpFreq !== undefined ? { spectrumWarp: warpFreq } : {}),
    ...(tilt !== undefined ? { spectrumTilt: tilt } : {}),
    ...(warpTime !== undefined ? { timeWarp: warpTime } : {}),
    ...(gainContour !== undefined ? { gainContour } : {}),
    ...(mixup !== undefined ? { mixup } : {}),
  };
  const speakerPrefix = o.speakers === undefined ? undefined : String(o.speakers);
  const p = o['wave-augment'];
  if (p !== undefined && (typeof p !== 'number' || !(p >= 0 && p <= 1))) throw new CliError(`--wave-augment must be a probability in [0, 1], got ${p}`);
  const waveAugment = typeof p === 'number' && p > 0 ? { ...defaultWaveAugment, probability: p } : undefined;
  const waveVariants = int('wave-variants', 0, 64);
  const normalize = (o.normalize ?? keywordFrontendDefaults.normalize ?? 'none') as FrontendNormalization;
  if (!FRONTEND_NORMALIZATIONS.includes(normalize)) throw new CliError(`--normalize must be one of ${FRONTEND_NORMALIZATIONS.join(', ')}, got ${o.normalize}`);
  if (waveVariants && !waveAugment) throw new CliError('--wave-variants needs --wave-augment P (P > 0)');
  const distill = distillJob(o);
  return trainKeywords({ data: o.data, architecture, limitPerClass, speakerPrefix, trainUnknownFraction, streamWindows, waveAugment, waveVariants, frontend: { normalize }, distill, options, out, quiet: !!o.quiet }, log);
}

/** `--teacher A.tcm,B.tcm [--distill W] [--distill-temperature T]`: the teachers read from disk (nothing is trained before they all load). */
function distillJob(o: Record<string, string | number | boolean | undefined>): DistillJob | undefined {
  const weight = realOption(o, 'distill', 0, 1);
  const temperature = realOption(o, 'distill-temperature', 0.1, 100);
  if (o.teacher === undefined) {
    if (weight !== undefined || temperature !== undefined) throw new CliError('--distill and --distill-temperature need --teacher FILES');
    return undefined;
  }
  const files = String(o.teacher).split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (files.length === 0) throw new CliError('--teacher needs one or more .tcm files, comma-separated');
  const teachers = files.map((file) => {
    if (!existsSync(file)) throw new CliError(`--teacher ${file}: no such file`);
    return { name: basename(file), bytes: new Uint8Array(readFileSync(file)) };
  });
  return { teachers, weight: weight ?? DISTILL_DEFAULTS.weight, temperature: temperature ?? DISTILL_DEFAULTS.temperature };
}
