/**
 * `npm run device-bench`: RV32IMC instruction counts of the runtime on the device, per phase.
 * Builds XS (from @agoric/xsnap) + the runtime bundle + optionally the native kernels for a
 * bare-metal RV32IMC core, runs it under qemu-user with the counting plugin, checks its classes
 * against the Node runtime, prints the table and writes MODEL.rv32.json next to each model (read
 * by `tempo-cim profile --device`). Method: docs/benchmarks.md, "Device instructions".
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { createNetwork, encodeImage, loadModel, type Model } from '../../runtime/index.ts';
import { createAudioFrontend } from '../../runtime/frontend/index.ts';
import { loadMnist } from '../../compiler/data/mnist.ts';
import { readModelFile } from '../../compiler/tcm/read.ts';
import { makeNoise } from '../../compiler/audio/synth-noise.ts';
import { readWav16k, toInt16 } from '../../compiler/audio/wav.ts';
import { writeFileAtomic } from '../../compiler/io/atomic.ts';
import { loadDevice } from '../../compiler/deploy/devices.ts';
import {
  derivedFigures, deviceBundleText, measurementPathFor, parsePluginOutput, phaseSamples, sha256, summarize,
  type DeviceMeasurement, type PhaseFigure, type PhaseName,
} from '../../compiler/profile/device-counts.ts';
import { deviceTimeProfile, formatDeviceTime } from '../../compiler/profile/device-time.ts';
import { DEFAULT_DETECTOR } from '../../manifests/apps/lib/detector.ts';
import { buildImage, buildPlugin, ensurePackages, QEMU_BINARY, repoRoot, TARGET_FLAGS, toolchainVersions, XS_FLAGS } from './toolchain.ts';

const HELP = `
Usage: npm run device-bench -- [--model FILE]... [options]

Counts the RV32IMC instructions the runtime executes on the device (XS built for a bare-metal
RV32IMC core, run under qemu-user with an instruction-counting plugin), per phase: boot
(loadModel, createNetwork), encoding one image, one inference, one audio hop, one keyword window.
Writes MODEL.rv32.json next to each model (shown by tempo-cim profile --device) and prints a table
with time estimates for --device. Needs Debian packages gcc-riscv64-unknown-elf,
picolibc-riscv64-unknown-elf, qemu-user (installed with apt-get when run as root).

Options:
  --model FILE     a .tcm model (repeatable; default build/model.tcm)
  --images N       MNIST test images per image model (default 20)
  --wav FILE       audio for keyword models (repeatable, concatenated; default 3 s of seeded pink noise)
  --hop MS         keyword app hop in ms (default: the keywords app's, ${DEFAULT_DETECTOR.hopMs})
  --no-early-exit  run inference without early termination
  --kernels K      native | typescript | auto (default auto: native when runtime/native has kernels)
  --device NAME    board profile for the time estimate (default esp32c3)
  --no-install     do not apt-get missing packages, only name them
  --json           print the measurements as JSON
`;

interface Args {
  models: string[];
  images: number;
  wavs: string[];
  hopMs: number;
  earlyExit: boolean;
  kernels: 'native' | 'typescript' | 'auto';
  device: string;
  install: boolean;
  json: boolean;
}

function fail(message: string): never {
  console.error(`device-bench: ${message}`);
  process.exit(2);
}

function parse(argv: string[]): Args {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        model: { type: 'string', multiple: true }, images: { type: 'string' }, wav: { type: 'string', multiple: true },
        hop: { type: 'string' }, 'no-early-exit': { type: 'boolean' }, kernels: { type: 'string' }, device: { type: 'string' },
        'no-install': { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean' },
      },
    });
  } catch (e) {
    fail((e as Error).message);
  }
  const v = parsed.values;
  if (v.help) {
    console.log(HELP.trim());
    process.exit(0);
  }
  const int = (name: string, text: string | undefined, fallback: number, min: number): number => {
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!Number.isInteger(n) || n < min) fail(`--${name} expects an integer >= ${min}, got '${text}'`);
    return n;
  };
  const kernels = (v.kernels ?? 'auto') as Args['kernels'];
  if (!['native', 'typescript', 'auto'].includes(kernels)) fail(`--kernels expects native, typescript or auto, got '${kernels}'`);
  const models = v.model ?? [join(repoRoot, 'build/model.tcm')];
  for (const m of models) if (!existsSync(m)) fail(`model ${m} not found${v.model ? '' : ' (train it with npm start, or pass --model)'}`);
  return {
    models, images: int('images', v.images, 20, 1), wavs: v.wav ?? [], hopMs: int('hop', v.hop, DEFAULT_DETECTOR.hopMs, 1),
    earlyExit: !v['no-early-exit'], kernels, device: v.device ?? 'esp32c3', install: !v['no-install'], json: !!v.json,
  };
}

/**
 * Native kernels: runtime/native/*.c, installed as globalThis.TempoCIMNative by the XS test host's
 * installer (compiler/xs/host/natives.c) through bench/device/rv32/native_glue.c.
 */
function nativeKernels(choice: Args['kernels']): { sources: string[]; includeDir: string; glue: string[] } | null {
  if (choice === 'typescript') return null;
  const dir = join(repoRoot, 'runtime/native');
  const glue = [join(repoRoot, 'compiler/xs/host/natives.c'), join(repoRoot, 'bench/device/rv32/native_glue.c')];
  const sources = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.c')).sort().map((f) => join(dir, f)) : [];
  if (sources.length === 0 || !glue.every((g) => existsSync(g))) {
    if (choice === 'native') fail(`--kernels native: no native kernels in runtime/native (or no ${glue.map((g) => relative(repoRoot, g)).join(' / ')})`);
    return null;
  }
  return { sources, includeDir: dir, glue };
}

interface Workload {
  inputs: Uint8Array;
  options: Record<string, unknown>;
  description: string;
  /** Classes the Node runtime gives for the same work. */
  expected: number[];
}

function imageWorkload(model: Model, bytes: Uint8Array, count: number, earlyExit: boolean): Workload {
  const input = model.input;
  if (input.kind !== 'image' || input.srcWidth !== 28 || input.srcHeight !== 28) fail('image models must take 28x28 MNIST images');
  const test = loadMnist().test;
  const px = 28 * 28;
  const n = Math.min(count, test.count);
  const network = createNetwork(loadModel(bytes));
  const codes = new Uint8Array(network.inputLength);
  const expected: number[] = [];
  for (let i = 0; i < n; i++) {
    encodeImage(input, test.images.subarray(i * px, (i + 1) * px), codes);
    expected.push(network.infer(codes, { earlyExit }).classIndex);
  }
  return { inputs: test.images.slice(0, n * px), options: { count: n, earlyExit }, description: `MNIST test images 0-${n - 1}`, expected };
}

function audioWorkload(model: Model, bytes: Uint8Array, wavs: string[], hopMs: number, earlyExit: boolean): Workload {
  const input = model.input;
  if (input.kind !== 'audio') throw new Error('not an audio model');
  let pcm: Int16Array;
  let description: string;
  if (wavs.length > 0) {
    const parts = wavs.map((w) => readWav16k(w));
    pcm = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) { pcm.set(p, at); at += p.length; }
    description = `${wavs.length} WAV file(s), ${(pcm.length / 16000).toFixed(2)} s`;
  } else {
    pcm = toInt16(makeNoise('pink', 3 * 16000, 11));
    description = '3 s of pink noise (seed 11)';
  }
  const frontend = createAudioFrontend(input.frontend);
  const network = createNetwork(loadModel(bytes));
  const codes = new Uint8Array(network.inputLength);
  const hop = (frontend.sampleRate * hopMs) / 1000;
  if (!Number.isInteger(hop)) fail(`--hop ${hopMs} ms is not a whole number of samples`);
  const expected: number[] = [];
  for (let at = 0; at + hop <= pcm.length; at += hop) {
    for (let done = 0; done < hop; done += 512) frontend.push(pcm, at + done, Math.min(512, hop - done));
    if (frontend.frameCount >= frontend.frames) {
      frontend.codes(codes);
      expected.push(network.infer(codes, { earlyExit }).classIndex);
    }
  }
  return { inputs: new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength), options: { hopMs, earlyExit }, description, expected };
}

function hashFiles(paths: string[]): string {
  return sha256(paths.map((p) => sha256(readFileSync(p))).join('\n'));
}

async function main(): Promise<void> {
  const args = parse(process.argv.slice(2));
  const log = (line: string) => console.error(line);
  try {
    ensurePackages(args.install, (line) => console.log(line));
  } catch (e) {
    fail((e as Error).message);
  }
  const device = loadDevice(args.device);
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: repoRoot, stdio: 'inherit' });
  const driver = join(repoRoot, 'bench/device/driver.js');
  const native = nativeKernels(args.kernels);
  const tools = toolchainVersions();
  log(`device-bench: building the RV32IMC image (${native ? 'native kernels' : 'TypeScript kernels'}; ${tools.compiler})`);
  const elf = await buildImage({
    native,
    progress: (done, total) => { if (total > 0) process.stderr.write(`\r  compiling ${done}/${total}${done === total ? '\n' : ''}`); },
  });
  const plugin = buildPlugin(elf);
  const scratch = mkdtempSync(join(tmpdir(), 'tempo-device-bench-'));
  // One script: the runtime, then the audio front-end module (TempoFrontend), as a keywords app loads both.
  const bundle = join(scratch, 'tempo-cim.xs.js');
  const bundleText = deviceBundleText(join(repoRoot, 'dist'));
  if (bundleText === null) throw new Error('dist/ is not built (npm run build)');
  writeFileSync(bundle, bundleText);
  const results: DeviceMeasurement[] = [];
  try {
    for (const modelPath of args.models) {
      const { bytes, model } = readModelFile(modelPath);
      const work = model.input.kind === 'audio'
        ? audioWorkload(model, bytes, args.wavs, args.hopMs, args.earlyExit)
        : imageWorkload(model, bytes, args.images, args.earlyExit);
      const inputsPath = join(scratch, 'inputs.bin');
      const countsPath = join(scratch, 'counts.txt');
      writeFileSync(inputsPath, work.inputs);
      log(`device-bench: ${relative(process.cwd(), modelPath)}: running under ${tools.emulator.split(' (')[0]} (${work.description})`);
      const runResult = spawnSync(QEMU_BINARY, ['-plugin', `${plugin},out=${countsPath}`, elf, bundle, driver, modelPath, inputsPath, JSON.stringify(work.options)],
        { encoding: 'utf8', maxBuffer: 64 << 20 });
      if (runResult.status !== 0) {
        const hint = native ? '\n(native kernels in the image; --kernels typescript measures the reference path)' : '';
        throw new Error(`device image failed (exit ${runResult.status}):\n${runResult.stderr}${runResult.stdout}${hint}`);
      }
      const reported = JSON.parse(runResult.stdout.trim().split('\n').pop() as string) as { classes: number[] };
      const counts = phaseSamples(parsePluginOutput(readFileSync(countsPath, 'utf8')).marks);
      const phases: Partial<Record<PhaseName, PhaseFigure>> = {};
      for (const [name, values] of Object.entries(counts.phases)) phases[name as PhaseName] = summarize(values as number[]);
      const hopMs = model.input.kind === 'audio' ? args.hopMs : undefined;
      const classesMatchNode = JSON.stringify(reported.classes) === JSON.stringify(work.expected);
      const measurement: DeviceMeasurement = {
        format: 'tempo-cim-device-bench/1', isa: 'RV32IMC',
        model: { file: relative(repoRoot, modelPath), sha256: sha256(bytes), input: model.input.kind === 'audio' ? 'audio' : 'image' },
        runtime: { bundleSha256: sha256(bundleText), nativeSha256: native ? hashFiles([...native.sources, ...native.glue]) : null },
        toolchain: { compiler: tools.compiler, emulator: tools.emulator, cflags: [...TARGET_FLAGS, ...XS_FLAGS].join(' ') },
        inputs: work.description, earlyExit: args.earlyExit, markerOverhead: counts.markerOverhead, phases,
        ...derivedFigures(phases, hopMs), ...(hopMs !== undefined ? { hopMs } : {}), classesMatchNode,
      };
      if (!classesMatchNode) throw new Error(`device classes ${reported.classes.join(',')} differ from Node's ${work.expected.join(',')}`);
      const out = measurementPathFor(modelPath);
      writeFileAtomic(out, JSON.stringify(measurement, null, 2) + '\n');
      results.push(measurement);
      if (!args.json) {
        console.log(`\n${relative(process.cwd(), modelPath)} (${work.description}; classes identical to the Node runtime; written ${relative(process.cwd(), out)})`);
        console.log(formatDeviceTime(deviceTimeProfile(measurement, device, relative(process.cwd(), out), false)));
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  if (args.json) console.log(JSON.stringify(results, null, 2));
}

main().catch((e) => {
  console.error(`device-bench: ${(e as Error).message}`);
  process.exit(1);
});
