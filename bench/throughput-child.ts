/**
 * One throughput measurement in a process of its own (see node-throughput.ts):
 *   node --import tsx bench/throughput-child.ts ENGINE MODEL.tcm SAMPLES WARMUP COUNT OFFSET
 * prints {"name", "perSecond"} as the last line of stdout.
 */
import { testInputsFor } from '../compiler/profile/test-inputs.ts';
import { readModelFile } from '../compiler/tcm/read.ts';
import { floatInputs } from './float-mlp.ts';
import { ENGINES, ortEngine, runtimeEngine, tfEngine, type Engine, type EngineName } from './node-throughput.ts';
import { loadOrt, loadTfWasm } from './peers.ts';

async function engineFor(name: EngineName, modelFile: string, samples: number): Promise<Engine> {
  const { bytes, model } = readModelFile(modelFile);
  const inputs = testInputsFor(model, samples);
  if (!inputs.pixels) throw new Error('the throughput comparison needs a 28x28 digits model');
  switch (name) {
    case 'runtime':
      return runtimeEngine(model, inputs.codes);
    case 'ort-1':
      return ortEngine(await loadOrt(), model, floatInputs(inputs.pixels), 1);
    case 'ort-default':
      return ortEngine(await loadOrt(), model, floatInputs(inputs.pixels), 0);
    case 'tfjs-wasm':
      return tfEngine(await loadTfWasm(), model, floatInputs(inputs.pixels));
  }
}

async function main(argv: string[]): Promise<void> {
  const [name, modelFile, samples, warmup, count, offset] = argv;
  if (!(ENGINES as readonly string[]).includes(name)) throw new Error(`unknown engine '${name}' (${ENGINES.join(', ')})`);
  const engine = await engineFor(name as EngineName, modelFile, Number(samples));
  await engine.run(0, Number(warmup));
  const start = process.hrtime.bigint();
  await engine.run(Number(offset), Number(count));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  console.log(JSON.stringify({ name: engine.name, perSecond: Number(count) / seconds }));
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (error) => {
    console.error((error as Error).stack ?? error);
    process.exit(1);
  },
);
