/** `tempo-cim sim`: run a generated project's app in real XS on this machine (see compiler/deploy/sim/run.ts). */
import { CliError, parseArgs } from '../util/args.ts';
import { simulate, type HeapReport, type HeapSample } from '../deploy/sim/run.ts';

/** Heap sampling interval of --stats (simulated ms). */
const HEAP_EVERY_MS = 10000;

function heapLine(heap: HeapReport): string {
  const bytes = (s: HeapSample) => `chunks ${s.chunks} B + slots ${s.slots} B at ${(s.ms / 1000).toFixed(1)} s`;
  const running = heap.samples.filter((s) => s.running);
  const range = (key: 'chunks' | 'slots') => `${key} ${Math.min(...running.map((s) => s[key]))}-${Math.max(...running.map((s) => s[key]))} B`;
  const after = heap.samples.filter((s) => !s.running);
  const lines = [`[sim] XS heap high-water: chunks ${heap.chunksPeak} B, slots ${heap.slotsPeak} B`];
  if (running.length) {
    lines.push(`[sim] XS heap live after GC while the app runs (${running.length} samples): first ${bytes(running[0])}, last ${bytes(running[running.length - 1])}; ${range('chunks')}, ${range('slots')}`);
  }
  if (after.length) lines.push(`[sim] XS heap live after GC once the app stopped: ${bytes(after[after.length - 1])}`);
  return lines.join('\n');
}

export const summary = 'run a generated Moddable project in real XS on this machine';

export const usage = `
Usage: tempo-cim sim DIR [--wav FILE] [--strokes FILE] [--screen WxH] [--duration MS] [--stats]

Runs the main module of a project made by 'tempo-cim build' in the Moddable XS engine
(xsnap-worker), with stand-ins for the Moddable modules it imports (Resource over the project's
data files, Time, Timer, instrumentation, trace, Piu, embedded:io/audio/in), and prints what the
device would print on its serial console.

Options:
  --wav FILE       keywords: play this WAV as the microphone (any rate; converted to 16 kHz mono)
  --strokes FILE   digits on a touch display: replay these strokes (JSON, see docs/deploy.md)
  --screen WxH     screen size instead of the board's (e.g. 240x320: portrait)
  --duration MS    stop after this much simulated time (default 120000, or the --wav
                   recording's length and 10 s more when that is longer)
  --stats          also print the XS meter's compute count; the XS heap (chunk and slot bytes,
                   as Moddable's instrumentation counts them) live after a garbage collection
                   once the app has started, every 10 s of simulated time and at the end, and
                   its high-water marks; and, for apps that draw, the high-water marks of Piu's
                   command list and Poco's display list

Piu apps draw through a model of Piu's command list and Poco's display list with the target's
sizes (1,024 bytes each unless the Application asks for others; 1,536 on the 64-bit desktop
simulator): a frame that overflows either aborts the app as on the device.
`;

function parseScreen(text: string | undefined): { width: number; height: number } | undefined {
  if (text === undefined) return undefined;
  const match = /^(\d+)x(\d+)$/.exec(text);
  const width = Number(match?.[1]);
  const height = Number(match?.[2]);
  if (!match || width < 16 || height < 16 || width > 4096 || height > 4096) throw new CliError(`--screen expects WIDTHxHEIGHT in pixels (16 to 4096), e.g. 240x320; got '${text}'`);
  return { width, height };
}

export async function run(args: string[]): Promise<number> {
  const { positional, options } = parseArgs(args, { wav: 'string', strokes: 'string', screen: 'string', duration: 'number', stats: 'boolean' });
  if (positional.length !== 1) throw new CliError('expected exactly one project directory (see tempo-cim sim --help)');
  const duration = options.duration as number | undefined;
  if (duration !== undefined && !(duration > 0)) throw new CliError('--duration must be positive');
  const result = await simulate(positional[0], {
    wavPath: options.wav as string | undefined,
    strokesPath: options.strokes as string | undefined,
    durationMs: duration,
    screen: parseScreen(options.screen as string | undefined),
    heapEveryMs: options.stats ? HEAP_EVERY_MS : undefined,
  });
  process.stdout.write(result.output);
  if (options.stats) {
    console.log(`[sim] stopped: ${result.stop}; XS compute ${result.compute}`);
    if (result.heap) console.log(heapLine(result.heap));
    const d = result.display;
    if (d) console.log(`[sim] display: ${d.frames} frames, ${d.steps} rectangles; Piu command list ${d.commandListUsed}/${d.commandListLength} B, Poco display list ${d.displayListUsed}/${d.displayListLength} B (high-water/size)`);
  }
  return result.stop === 'exception' ? 1 : 0;
}
