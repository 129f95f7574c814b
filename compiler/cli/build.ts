/** `tempo-cim build`: generate a Moddable project for a board (see compiler/deploy/project.ts). */
import { CliError, parseArgs } from '../util/args.ts';
import { APP_NAMES, isAppName } from '../deploy/apps.ts';
import { formatBudget } from '../deploy/budget.ts';
import { listDevices } from '../deploy/devices.ts';
import { buildProject } from '../deploy/project.ts';
import { VectorFileNeeded } from '../deploy/vectors.ts';
import { DEFAULT_DETECTOR } from '../../manifests/apps/lib/detector.ts';

export const summary = 'generate a Moddable project (ESP32 boards or simulator) for a model';

export const usage = `
Usage: tempo-cim build MODEL.tcm --device NAME [--app digits|keywords|bench] --out DIR [options]

Writes a complete Moddable SDK project to DIR: manifest.json, a TypeScript main typed against
@moddable/typings, the bundled runtime module, the model (a flash data resource opened with
new Resource("model.tcm")) and the app's data; prints the mcconfig commands that build it.
Refuses, with exit code 2, a model whose flash, RAM (scratch + app buffers) or XS slots (network +
one inference, measured in XS as 'tempo-cim profile' does) exceed the device profile.

Options:
  --device NAME      board profile from devices/: ${listDevices().join(', ')}
  --app NAME         ${APP_NAMES.join(' | ')} (default digits)
  --out DIR          project directory (created; an earlier tempo-cim project there is replaced)
  --vectors FILE     test vectors for digits/bench (tempo-cim vector file; default: MNIST test images)
  --count N          test vectors to store (default 100)
  --iterations N     bench: inferences to run (default: one pass over the vectors)
  --wav FILE         keywords: WAV the simulators play as the microphone (default: 1 s of silence)
  --hop MS           keywords: classify every MS milliseconds (default ${DEFAULT_DETECTOR.hopMs})
  --margin N         keywords: report a word only if its lead over the runner-up sums to N over
                     ${DEFAULT_DETECTOR.windows} verdicts, each capped at ${DEFAULT_DETECTOR.leadCap} (units of the last layer's
                     threshold); default: the margin
                     recorded in the model by 'tempo-cim eval --choose-margin --save' if it was
                     chosen for this hop, else ${DEFAULT_DETECTOR.margin}
  --no-early-exit    run every layer window to its end
`;

/** Names the flag when the model's test vectors cannot come from MNIST. */
async function withVectorsFlag<T>(build: () => Promise<T>): Promise<T> {
  try {
    return await build();
  } catch (error) {
    if (error instanceof VectorFileNeeded) throw new CliError(`${error.message}: pass --vectors FILE`);
    throw error;
  }
}

export async function run(args: string[]): Promise<number> {
  const { positional, options } = parseArgs(args, {
    device: 'string', app: 'string', out: 'string', vectors: 'string', count: 'number', iterations: 'number',
    wav: 'string', hop: 'number', margin: 'number', 'no-early-exit': 'boolean',
  });
  if (positional.length !== 1) throw new CliError('expected exactly one model file (see tempo-cim build --help)');
  const device = options.device as string | undefined;
  const out = options.out as string | undefined;
  if (!device) throw new CliError(`--device is required (one of ${listDevices().join(', ')})`);
  if (!out) throw new CliError('--out DIR is required');
  const app = (options.app as string | undefined) ?? 'digits';
  if (!isAppName(app)) throw new CliError(`unknown app '${app}'; apps: ${APP_NAMES.join(', ')}`);
  for (const name of ['count', 'iterations', 'hop'] as const) {
    const value = options[name];
    if (value !== undefined && (!Number.isInteger(value) || (value as number) < 1)) throw new CliError(`--${name} must be a positive integer`);
  }
  const record = await withVectorsFlag(() => buildProject({
    modelPath: positional[0],
    device,
    app,
    outDir: out,
    vectorsPath: options.vectors as string | undefined,
    count: options.count as number | undefined,
    iterations: options.iterations as number | undefined,
    wavPath: options.wav as string | undefined,
    hopMs: options.hop as number | undefined,
    margin: options.margin as number | undefined,
    earlyExit: options['no-early-exit'] !== true,
  }));
  console.log(`wrote ${record.variant} app for ${record.device} to ${out} (${record.files.length} files${record.vectors ? `, ${record.vectors} test vectors` : ''})`);
  if (record.marginFrom) console.log(`keywords: a ${record.settings.hopMs} ms hop, margin ${record.settings.margin} (${record.marginFrom.source})`);
  console.log(formatBudget(record.budget));
  console.log('');
  if (record.commands.onDevice) {
    console.log('Build, flash and debug on the board (Moddable SDK and ESP-IDF installed):');
    console.log(`  ${record.commands.device}`);
    console.log('Release build (trace output on the serial console):');
    console.log(`  ${record.commands.deviceRelease}`);
  }
  console.log('Moddable desktop simulator (debug build with xsbug; drop -d for trace() on stdout):');
  console.log(`  ${record.commands.simulator}`);
  console.log('Real XS on this machine, no SDK needed:');
  console.log(`  tempo-cim sim ${out}${record.app === 'keywords' ? ' --wav FILE' : ''}${record.variant === 'digits-touch' ? ' --strokes FILE' : ''}`);
  return 0;
}
