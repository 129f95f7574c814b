/** `tempo-cim sim`: run a generated project's app in real XS on this machine (see compiler/deploy/sim/run.ts). */
import { CliError, parseArgs } from './args.ts';
import { simulate } from '../deploy/sim/run.ts';

export const summary = 'run a generated Moddable project in real XS on this machine';

export const usage = `
Usage: tempo-cim sim DIR [--wav FILE] [--strokes FILE] [--duration MS]

Runs the main module of a project made by 'tempo-cim build' in the Moddable XS engine
(xsnap-worker), with stand-ins for the Moddable modules it imports (Resource over the project's
data files, Time, Timer, instrumentation, trace, Piu, embedded:io/audio/in), and prints what the
device would print on its serial console.

Options:
  --wav FILE       keywords: play this WAV as the microphone (any rate; converted to 16 kHz mono)
  --strokes FILE   digits on a touch display: replay these strokes (JSON, see docs/deploy.md)
  --duration MS    stop after this much simulated time (default 120000)
  --stats          also print the XS meter's compute count
`;

export async function run(args: string[]): Promise<number> {
  const { positional, options } = parseArgs(args, { wav: 'string', strokes: 'string', duration: 'number', stats: 'boolean' });
  if (positional.length !== 1) throw new CliError('expected exactly one project directory (see tempo-cim sim --help)');
  const duration = options.duration as number | undefined;
  if (duration !== undefined && !(duration > 0)) throw new CliError('--duration must be positive');
  const result = await simulate(positional[0], {
    wavPath: options.wav as string | undefined,
    strokesPath: options.strokes as string | undefined,
    durationMs: duration,
  });
  process.stdout.write(result.output);
  if (options.stats) console.log(`[sim] stopped: ${result.stop}; XS compute ${result.compute}`);
  return result.stop === 'exception' ? 1 : 0;
}
