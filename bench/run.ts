/**
 * `npm run bench`: tempo-cim side by side with its peers, every ratio measured in this run.
 *   (a) XS compute per inference: event-driven runtime vs a dense int8 MAC loop (same XS worker)
 *   (b) Node batch-1 throughput: runtime vs onnxruntime-node and TensorFlow.js (wasm)
 *   (c) training epoch time: tempo-cim trainer (float) vs TensorFlow.js (wasm)
 *   (d) model bytes per weight: .tcm vs ONNX float32 and TensorFlow.js artifacts
 * Prints a table and writes bench/results/latest.json and latest.md.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from '../compiler/util/args.ts';
import { loadMnist, subset } from '../compiler/data/mnist.ts';
import { testInputsFor } from '../compiler/profile/test-inputs.ts';
import { ensureBenchDeps } from './ensure-deps.ts';
import { benchModel } from './model-source.ts';
import { measureModelBytes } from './model-bytes.ts';
import { measureNodeThroughput } from './node-throughput.ts';
import { loadTfWasm } from './peers.ts';
import { machineInfo, textTable, writeResults, type BenchResults, type Row } from './results.ts';
import { measureTraining } from './training.ts';
import { measureXsCompute } from './xs-compute.ts';

const USAGE = `Usage: npm run bench -- [--model FILE] [--xs-samples N] [--count N] [--repeats N]
                       [--train-samples N] [--train-repeats N] [--skip-training] [--out DIR]`;

async function main(argv: string[]): Promise<void> {
  if (argv.includes('--help')) {
    console.log(USAGE);
    return;
  }
  const { options } = parseArgs(argv, {
    model: 'string', 'xs-samples': 'number', count: 'number', repeats: 'number', 'train-samples': 'number', 'train-repeats': 'number',
    'skip-training': 'boolean', out: 'string',
  });
  const settings = {
    xsSamples: (options['xs-samples'] as number | undefined) ?? 500,
    throughputCount: (options.count as number | undefined) ?? 3000,
    repeats: (options.repeats as number | undefined) ?? 7,
    trainSamples: (options['train-samples'] as number | undefined) ?? 60000,
    trainRepeats: (options['train-repeats'] as number | undefined) ?? 3,
  };
  const outDir = (options.out as string | undefined) ?? fileURLToPath(new URL('./results', import.meta.url));
  ensureBenchDeps();
  const machine = machineInfo();
  const { bytes, model, source } = benchModel(options.model as string | undefined);
  const inputs = testInputsFor(model, Math.max(settings.xsSamples, 1000));
  if (!inputs.pixels) throw new Error('the benchmark needs a 28x28 digits model (MNIST test images)');
  const tf = await loadTfWasm();
  const rows: Row[] = [];
  const details: Record<string, unknown> = {};

  console.error(`bench: (a) XS compute over ${settings.xsSamples} MNIST test images...`);
  const xs = await measureXsCompute(bytes, inputs.codes.slice(0, settings.xsSamples));
  details.xsCompute = xs;
  rows.push({
    id: 'a', comparison: 'XS compute per inference (median)', unit: 'compute', ours: xs.eventDrivenMedian, peer: xs.denseMedian,
    peerName: 'dense int8 MAC loop in XS', ratio: xs.ratio, ratioMeaning: 'ours/dense', target: '<= 0.25', pass: xs.ratio <= 0.25,
  });
  rows.push({
    id: 'a', comparison: 'XS compute per inference, early exit off (median)', unit: 'compute', ours: xs.eventDrivenNoEarlyExitMedian, peer: xs.denseMedian,
    peerName: 'dense int8 MAC loop in XS', ratio: xs.ratioNoEarlyExit, ratioMeaning: 'ours/dense', target: null, pass: null,
  });

  console.error(`bench: (b) Node batch-1 throughput, ${settings.repeats} repeats x ${settings.throughputCount} inferences, one process per measurement...`);
  const scratchDir = mkdtempSync(join(tmpdir(), 'tempo-cim-bench-'));
  const modelFile = join(scratchDir, 'model.tcm');
  writeFileSync(modelFile, bytes);
  let throughput;
  try {
    throughput = measureNodeThroughput(modelFile, { warmup: 1000, count: settings.throughputCount, repeats: settings.repeats, samples: 1000 });
  } finally {
    rmSync(scratchDir, { recursive: true, force: true });
  }
  details.throughput = throughput;
  const [ours, ...peers] = throughput;
  // The acceptance target is set against the faster onnxruntime configuration of this run.
  const ortRuns = peers.filter((p) => p.engine.startsWith('ort'));
  const fastestOrt = ortRuns.reduce((a, b) => (b.median > a.median ? b : a), ortRuns[0]);
  for (const p of peers) {
    const ratio = ours.median / p.median;
    const primary = p === fastestOrt;
    rows.push({
      id: 'b', comparison: 'Node batch-1 inferences/s (median)', unit: '/s', ours: ours.median, peer: p.median, peerName: p.name,
      ratio, ratioMeaning: 'ours/peer', target: primary ? '>= 1.0' : null, pass: primary ? ratio >= 1 : null,
    });
  }

  if (!options['skip-training']) {
    console.error(`bench: (c) training epoch time, ${settings.trainSamples} samples, ${settings.trainRepeats} repeats...`);
    const set = subset(loadMnist().train, settings.trainSamples);
    const epochs = await measureTraining(tf, set, settings.trainRepeats);
    details.training = epochs;
    const tfTime = epochs[epochs.length - 1];
    for (const e of epochs.slice(0, -1)) {
      rows.push({
        id: 'c', comparison: `training epoch, 784-128-10, batch 128 (ours: ${e.name.replace('tempo-cim trainer (', '').replace(')', '')})`, unit: 's', ours: e.median, peer: tfTime.median,
        peerName: tfTime.name, ratio: tfTime.median / e.median, ratioMeaning: 'speed-up (peer/ours)', target: null, pass: null,
      });
    }
  }

  const sizes = await measureModelBytes(model, tf);
  details.modelBytes = sizes;
  rows.push({
    id: 'd', comparison: 'model bytes per weight', unit: 'B', ours: sizes.tcmBytes / sizes.weights, peer: sizes.onnxBytes / sizes.weights,
    peerName: 'ONNX float32', ratio: sizes.tcmBytes / sizes.onnxBytes, ratioMeaning: 'ours/peer', target: null, pass: null,
  });
  rows.push({
    id: 'd', comparison: 'model bytes per weight', unit: 'B', ours: sizes.tcmBytes / sizes.weights, peer: sizes.tfjsBytes / sizes.weights,
    peerName: 'TensorFlow.js artifacts', ratio: sizes.tcmBytes / sizes.tfjsBytes, ratioMeaning: 'ours/peer', target: null, pass: null,
  });

  const results: BenchResults = { date: new Date().toISOString(), machine, model: source, settings, rows, details };
  console.log(textTable(rows));
  const written = writeResults(outDir, results);
  console.log(`\nwrote ${written.json} and ${written.md}`);
}

main(process.argv.slice(2)).catch((error) => {
  console.error(`bench: ${(error as Error).stack ?? error}`);
  process.exitCode = 1;
});
