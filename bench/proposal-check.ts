/**
 * Measures a proposed runtime change before it is applied: copies runtime/ to a temporary
 * directory, applies a patch there (default bench/proposals/crossbar-row-blocks.patch), checks that
 * the patched runtime gives identical scores, traces and op counts on random models (dense and
 * conv, ideal and macro, leak on and off, early exit on and off) and on MNIST test images, then compares it
 * with the current runtime: XS compute per inference (median, deterministic) and Node time per
 * inference (median over interleaved repeats).
 *   node --import tsx bench/proposal-check.ts [--patch FILE] [--model FILE] [--samples N] [--repeats N] [--random-models N]
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { parseArgs } from '../compiler/cli/args.ts';
import { median } from '../compiler/profile/stats.ts';
import { testInputsFor } from '../compiler/profile/test-inputs.ts';
import { writeModel } from '../compiler/tcm/writer.ts';
import { Prng } from '../compiler/util/prng.ts';
import { XsWorker } from '../compiler/xs/worker.ts';
import * as current from '../runtime/index.ts';
import { randomCodes, randomModel } from '../test/helpers/random-model.ts';
import { benchModel } from './model-source.ts';

type Runtime = typeof current;
const root = fileURLToPath(new URL('../', import.meta.url));

async function xsBundle(entry: string): Promise<string> {
  const out = await build({ entryPoints: [entry], bundle: true, format: 'iife', globalName: 'TempoCIM', footer: { js: 'globalThis.TempoCIM = TempoCIM;' }, write: false, target: 'es2022', logLevel: 'silent' });
  return out.outputFiles[0].text;
}

async function xsComputeMedian(bundle: string, modelBytes: Uint8Array, inputs: Uint8Array[]): Promise<number> {
  const worker = await XsWorker.start();
  try {
    await worker.evaluate(bundle);
    await worker.evaluate(readFileSync(fileURLToPath(new URL('./xs-dense-harness.js', import.meta.url)), 'utf8'));
    const load = new Uint8Array(1 + modelBytes.length);
    load[0] = 0x4c;
    load.set(modelBytes, 1);
    await worker.command(load);
    const compute: number[] = [];
    for (const codes of inputs) {
      const message = new Uint8Array(2 + codes.length);
      message[0] = 0x45;
      message[1] = 1;
      message.set(codes, 2);
      compute.push((await worker.command(message)).compute);
    }
    return median(compute);
  } finally {
    await worker.close();
  }
}

/** Everything an inference returns that must not change, as one string. */
function fingerprint(r: current.InferenceResult): string {
  return `${r.classIndex}|${Array.from(r.scores).join()}|${r.trace.map((t) => t.join()).join('/')}|${JSON.stringify(r.ops)}|${r.stoppedEarly}`;
}

/** Same results on `models` random models x 5 inputs x early exit on/off; returns the cases compared. */
function differential(proposed: Runtime, models: number): number {
  let cases = 0;
  for (let seed = 1; seed <= models; seed++) {
    const rng = new Prng(seed);
    const bytes = writeModel(randomModel(rng));
    const a = current.createNetwork(current.loadModel(bytes));
    const b = proposed.createNetwork(proposed.loadModel(bytes));
    if (b.scratchBytes !== proposed.scratchBytesFor(proposed.loadModel(bytes))) throw new Error(`seed ${seed}: scratchBytesFor disagrees with what the network allocates`);
    for (let t = 0; t < 5; t++) {
      const codes = randomCodes(rng, a.inputLength, a.model.input.bits);
      for (const earlyExit of [true, false]) {
        if (fingerprint(a.infer(codes, { earlyExit })) !== fingerprint(b.infer(codes, { earlyExit }))) throw new Error(`seed ${seed}: the proposed runtime changes results`);
        cases++;
      }
    }
  }
  return cases;
}

async function main(): Promise<void> {
  const { options } = parseArgs(process.argv.slice(2), { patch: 'string', model: 'string', samples: 'number', repeats: 'number', 'random-models': 'number' });
  const patch = options.patch ? resolve(options.patch as string) : fileURLToPath(new URL('./proposals/crossbar-row-blocks.patch', import.meta.url));
  const samples = (options.samples as number | undefined) ?? 300;
  const repeats = (options.repeats as number | undefined) ?? 9;
  const dir = mkdtempSync(join(tmpdir(), 'tempo-cim-proposal-'));
  try {
    cpSync(join(root, 'runtime'), join(dir, 'runtime'), { recursive: true });
    const applied = spawnSync('git', ['apply', patch], { cwd: dir, encoding: 'utf8' });
    if (applied.status !== 0) throw new Error(`patch does not apply to the current runtime: ${applied.stderr}`);
    const proposed = (await import(pathToFileURL(join(dir, 'runtime/index.ts')).href)) as Runtime;
    const randomCases = differential(proposed, (options['random-models'] as number | undefined) ?? 2000);
    const { bytes, source } = benchModel(options.model as string | undefined);
    const inputs = testInputsFor(current.loadModel(bytes), samples).codes;
    const engines = { current, proposed };
    const networks = { current: current.createNetwork(current.loadModel(bytes)), proposed: proposed.createNetwork(proposed.loadModel(bytes)) };
    for (const codes of inputs) {
      if (fingerprint(networks.current.infer(codes)) !== fingerprint(networks.proposed.infer(codes))) throw new Error('the proposed runtime changes results on MNIST');
    }
    const micros: Record<string, number[]> = { current: [], proposed: [] };
    for (let r = 0; r < repeats; r++) {
      for (const name of ['current', 'proposed'] as const) {
        const start = process.hrtime.bigint();
        for (const codes of inputs) networks[name].infer(codes);
        micros[name].push(Number(process.hrtime.bigint() - start) / 1000 / inputs.length);
      }
    }
    const xs = {
      current: await xsComputeMedian(await xsBundle(join(root, 'runtime/index.ts')), bytes, inputs.slice(0, 100)),
      proposed: await xsComputeMedian(await xsBundle(join(dir, 'runtime/index.ts')), bytes, inputs.slice(0, 100)),
    };
    console.log(`patch: ${patch}`);
    console.log(`identical classes, scores, traces and op counts on ${randomCases} random-model cases and ${inputs.length} MNIST test images`);
    console.log(`model: ${source}`);
    for (const name of Object.keys(engines) as (keyof typeof engines)[]) {
      console.log(`${name.padEnd(9)} XS compute/inference ${Math.round(xs[name]).toLocaleString('en-US').padStart(10)}   Node ${median(micros[name]).toFixed(1).padStart(6)} us/inference`);
    }
    console.log(`proposed/current: XS ${(xs.proposed / xs.current).toFixed(3)}x, Node ${(median(micros.proposed) / median(micros.current)).toFixed(3)}x`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(`proposal-check: ${(error as Error).message}`);
  process.exitCode = 1;
});
