/**
 * `tempo-cim sim DIR`: runs a generated project's main module in the real XS engine
 * (xsnap-worker) with the Moddable stand-ins, feeding the microphone from a WAV file and the
 * touch screen from a strokes file, and returns what the device would print.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../errors.ts';
import { encodeWav, readWav16k } from '../../audio/wav.ts';
import { nativeHostPath } from '../../xs/native-host.ts';
import { XsWorker } from '../../xs/worker.ts';
import { readBuildRecord } from '../project.ts';
import { bundleProject } from './bundle.ts';
import type { StrokeFile } from './shims/piu.ts';
import type { DisplayConfig, DisplayFigures } from './shims/view.ts';
import { loadDevice } from '../devices.ts';

export interface SimOptions {
  /** WAV played as the microphone (replaces the project's keyword.wav). */
  wavPath?: string;
  /** Touch strokes (JSON, see docs/deploy.md) replayed on the touch screen. */
  strokesPath?: string;
  /** Stop after this much simulated time (ms; default 120 s, or the microphone WAV's length and 10 s more when longer). */
  durationMs?: number;
  /** Also sample the XS heap (after a garbage collection) every this much simulated time (ms). */
  heapEveryMs?: number;
  /** Screen size instead of the board's (e.g. 240x320: the board turned to portrait). */
  screen?: { width: number; height: number };
}

export interface SimResult {
  output: string;
  /** Why the run ended: idle (no timers left), time limit, or exception. */
  stop: string;
  /** XS meter: computation steps of loading the app plus running its timers. */
  compute: number;
  /** Piu/Poco list sizes and high-water marks, when the app draws (Piu). */
  display: DisplayFigures | null;
  /** XS heap samples, when asked for (heapEveryMs) and the host can tell. */
  heap: HeapReport | null;
}

/** Bytes of the XS heaps, as Moddable's instrumentation counts them ("XS Chunk/Slot Heap Used"). */
export interface HeapSample {
  /** Simulated time (ms). */
  ms: number;
  chunks: number;
  slots: number;
  /** Whether the app was still running (timers pending), not stopped or idle. */
  running: boolean;
}

export interface HeapReport {
  /** Live heap after a garbage collection: once the app has started, then every heapEveryMs, then at the end. */
  samples: HeapSample[];
  /** High-water marks over the whole run, garbage included (what the heaps must hold). */
  chunksPeak: number;
  slotsPeak: number;
}

interface DrainReply {
  output: string;
  stop: string;
  ms: number;
  display: DisplayFigures | null;
  heap: { chunks: number; chunksPeak: number; slots: number; slotsPeak: number } | null;
}

/** The display the Piu stand-in models: the board's screen, and 8-byte pointers for the desktop simulator. */
function displayConfig(device: string, settings: { screenWidth: number; screenHeight: number }, screen?: { width: number; height: number }): DisplayConfig {
  const profile = loadDevice(device);
  return {
    pointerBytes: profile.chip === 'host' ? 8 : 4,
    width: screen?.width ?? (settings.screenWidth || 320),
    height: screen?.height ?? (settings.screenHeight || 240),
  };
}

function readStrokes(path: string): StrokeFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UserError(`${path}: not a strokes file (${(error as Error).message})`);
  }
  const digits = (parsed as StrokeFile)?.digits;
  const valid = Array.isArray(digits) && digits.every((d) => Array.isArray(d?.strokes) && d.strokes.every((s) =>
    Array.isArray(s) && s.length > 0 && s.every((p) => Array.isArray(p) && p.length === 2 && p.every((n) => typeof n === 'number' && n >= 0 && n <= 1))));
  if (!valid) throw new UserError(`${path}: expected {"digits": [{"strokes": [[[u, v], ...], ...]}, ...]} with u, v in [0, 1]`);
  return parsed as StrokeFile;
}

/** The project's data files (manifest `data`) the app may open with new Resource(name). */
const DEFAULT_DURATION_MS = 120000;

function dataFiles(dir: string, options: SimOptions): Map<string, Uint8Array> {
  const data = new Map<string, Uint8Array>();
  for (const name of ['model.tcm', 'vectors.bin', 'keyword.wav']) {
    const path = join(dir, name);
    if (existsSync(path)) data.set(name, new Uint8Array(readFileSync(path)));
  }
  if (options.wavPath) {
    if (!existsSync(join(dir, 'sim', 'audioin.ts'))) throw new UserError(`a microphone clip needs a project with a microphone; ${dir} has none (build a keywords app)`);
    data.set('keyword.wav', encodeWav(readWav16k(options.wavPath), { sampleRate: 16000, channels: 1, encoding: 16 }));
  }
  return data;
}

/**
 * Evaluated before the app: receives the data files as raw bytes over XS commands
 * ([name length, name (ASCII), bytes...]) into the map shims/host.ts serves Resource from.
 * (Passing them inside a script would be slow: XS indexes long strings from their start.)
 */
const RECEIVER = `globalThis.__tempoCimResources = new Map();
globalThis.handleCommand = (message) => {
  const bytes = new Uint8Array(message);
  let name = '';
  for (let i = 0; i < bytes[0]; i++) name += String.fromCharCode(bytes[1 + i]);
  globalThis.__tempoCimResources.set(name, bytes.slice(1 + bytes[0]).buffer);
  return new ArrayBuffer(0);
};`;

function storeCommand(name: string, bytes: Uint8Array): Uint8Array {
  if (name.length > 255 || !/^[\x20-\x7e]+$/.test(name)) throw new UserError(`data file name '${name}' must be short printable ASCII`);
  const message = new Uint8Array(1 + name.length + bytes.length);
  message[0] = name.length;
  for (let i = 0; i < name.length; i++) message[1 + i] = name.charCodeAt(i);
  message.set(bytes, 1 + name.length);
  return message;
}

export async function simulate(dir: string, options: SimOptions = {}): Promise<SimResult> {
  const record = readBuildRecord(dir);
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { config?: Record<string, unknown> };
  if (options.strokesPath && record.variant !== 'digits-touch') throw new UserError(`touch strokes need a touch-display digits project; ${dir} holds the ${record.variant} app`);
  const strokes = options.strokesPath ? readStrokes(options.strokesPath) : undefined;
  const prelude = [
    `globalThis.__tempoCimDisplay = ${JSON.stringify(displayConfig(record.device, record.settings, options.screen))};`,
    strokes ? `globalThis.__tempoCimStrokes = ${JSON.stringify(strokes)};` : '',
  ].join('\n');
  const script = await bundleProject(dir, manifest.config ?? {});
  // The XS test host: xsnap with the native kernels linked in, as mcconfig links them on a device.
  const worker = await XsWorker.start({ stdout: 'pipe', binary: nativeHostPath('release') });
  let output = '';
  let stop = 'not run';
  let compute = 0;
  let display: DisplayFigures | null = null;
  let heap: HeapReport | null = null;
  /** A command of shims/host.ts: '' drains the console, 'H' also samples the heap, 'R<ms>' runs the timers until then (and drains). */
  const command = async (text: string) => {
    const answer = await worker.command(new Uint8Array(Buffer.from(text, 'latin1')));
    if (text.startsWith('R')) compute += answer.compute;
    const reply = JSON.parse(Buffer.from(answer.reply).toString('utf8')) as DrainReply;
    output += reply.output;
    stop = reply.stop;
    display = reply.display;
    if (reply.heap) {
      heap ??= { samples: [], chunksPeak: 0, slotsPeak: 0 };
      const running = reply.stop === 'not run' || reply.stop.startsWith('time limit');
      heap.samples.push({ ms: reply.ms, chunks: reply.heap.chunks, slots: reply.heap.slots, running });
      heap.chunksPeak = reply.heap.chunksPeak;
      heap.slotsPeak = reply.heap.slotsPeak;
    }
  };
  const data = dataFiles(dir, options);
  const wav = data.get('keyword.wav');
  const durationMs = options.durationMs ?? Math.max(DEFAULT_DURATION_MS, wav ? Math.ceil((wav.length / 32000) * 1000) + 10000 : 0);
  const every = options.heapEveryMs;
  if (every !== undefined && !(every > 0)) throw new UserError('the heap sampling interval must be positive');
  try {
    await worker.evaluate(prelude);
    await worker.evaluate(RECEIVER);
    for (const [name, bytes] of data) await worker.command(storeCommand(name, bytes));
    data.clear();
    try {
      compute += (await worker.evaluate(script)).compute;
      if (every) await command('H');
      // In slices of simulated time when the heap is sampled between them (the clock runs on across slices).
      for (let limit = every ? Math.min(every, durationMs) : durationMs; ; limit = Math.min(limit + every!, durationMs)) {
        await command(`R${Math.floor(limit)}`);
        if (every) await command('H');
        if (limit >= durationMs || !stop.startsWith('time limit')) break;
      }
    } catch (error) {
      await command('').catch(() => undefined);
      output += `XS abort: unhandled exception: ${(error as Error).message}\n`;
      stop = 'exception';
    }
    return { output: output + worker.output, stop, compute, display, heap };
  } finally {
    await worker.close();
  }
}
