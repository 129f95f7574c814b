/**
 * `npm run fuzz [-- --cases N --xs N --seed S --native release|sanitize]`: mutates model files
 * (compiler/fuzz/mutate.ts) and runs each through the loader and one inference, N in Node and a
 * share in real XS; prints counts by outcome and exits non-zero on any crash or Node/XS
 * disagreement. --native runs the XS share with the native C kernels, in the test host built as
 * is ('release') or with AddressSanitizer + UndefinedBehaviorSanitizer ('sanitize': any finding
 * aborts the host, which counts as a crash).
 */
import { fuzzOnce, newTally, verdict } from '../compiler/fuzz/run-node.ts';
import { mutateModel } from '../compiler/fuzz/mutate.ts';
import { CliError, parseArgs } from '../compiler/util/args.ts';
import { writeModel } from '../compiler/tcm/writer.ts';
import { Rng } from '../compiler/util/prng.ts';
import { Progress } from '../compiler/util/progress.ts';
import { XsRuntime } from '../compiler/xs/runtime-host.ts';
import type { HostVariant } from '../compiler/xs/native-host.ts';
import { randomConv2dModel, randomModel } from '../compiler/fuzz/random-model.ts';

const { options } = parseArgs(process.argv.slice(2), { cases: 'number', xs: 'number', seed: 'number', native: 'string' });
const native = options.native as HostVariant | undefined;
if (native !== undefined && native !== 'release' && native !== 'sanitize') throw new CliError(`--native must be release or sanitize, got '${native}'`);
const cases = (options.cases as number | undefined) ?? 100_000;
const xsCases = (options.xs as number | undefined) ?? 10_000;
const seed = (options.seed as number | undefined) ?? 2026;

const seedRng = new Rng(seed);
const seeds = Array.from({ length: 8 }, (_, i) => writeModel(randomModel(seedRng, { macro: i % 2 === 0, leak: i % 3 === 0 })));
// conv2d models (format 1.1) after the original eight, so their mutant streams stay as they were.
for (let i = 0; i < 2; i++) seeds.push(writeModel(randomConv2dModel(seedRng, { macro: i === 0, leak: i === 1 })));

const rng = new Rng(seed + 1);
const tally = newTally();
const progress = new Progress('fuzz node', cases);
for (let i = 0; i < cases; i++) {
  fuzzOnce(seeds[i % seeds.length], rng, tally);
  if (i % 1000 === 0) progress.update(i, `${tally.crashes.length} crashes`);
}
progress.done(`${tally.crashes.length} crashes`);

const xsOutcomes: Record<string, number> = {};
let disagreements = 0;
if (xsCases > 0) {
  const xs = await XsRuntime.start({ meteringLimit: 4e9, native });
  const xsProgress = new Progress(native ? `fuzz xs+c ` : 'fuzz xs  ', xsCases);
  try {
    for (let i = 0; i < xsCases; i++) {
      const { bytes } = mutateModel(seeds[i % seeds.length], rng);
      let nodeVerdict: string;
      try {
        nodeVerdict = verdict(bytes, rng);
      } catch {
        nodeVerdict = 'crash';
      }
      const info = await xs.load(bytes);
      let xsVerdict = info.ok ? 'accepted' : `rejected:${info.code}`;
      if (info.ok) {
        const codes = new Uint8Array(info.inputLength!);
        try {
          await xs.infer(codes);
        } catch (error) {
          xsVerdict = `crash:${(error as Error).message}`;
        }
      }
      xsOutcomes[xsVerdict] = (xsOutcomes[xsVerdict] ?? 0) + 1;
      if (xsVerdict !== nodeVerdict) disagreements++;
      if (i % 500 === 0) xsProgress.update(i, `${disagreements} disagreements`);
    }
  } finally {
    await xs.close();
  }
  xsProgress.done(`${disagreements} disagreements`);
}

const table = (counts: Record<string, number>) =>
  Object.entries(counts).sort((a, b) => b[1] - a[1]).map(([k, v]) => `  ${k.padEnd(36)} ${v}`).join('\n');
console.log(`Node: ${tally.cases} mutants\n${table(tally.outcomes)}`);
if (xsCases > 0) console.log(`XS${native ? ` with native kernels (${native} host)` : ''}: ${xsCases} mutants (same verdict as Node: ${xsCases - disagreements})\n${table(xsOutcomes)}`);
for (const crash of tally.crashes.slice(0, 5)) console.error(`crash (${crash.kind}): ${crash.error}`);
process.exitCode = tally.crashes.length > 0 || disagreements > 0 ? 1 : 0;
