import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { APP_NAMES } from '../../compiler/deploy/apps.ts';
import { listDevices, loadDevice } from '../../compiler/deploy/devices.ts';
import { boardPlatformKey } from '../../compiler/deploy/manifest.ts';
import { buildProject, type BuildRecord } from '../../compiler/deploy/project.ts';
import { loadValidator, manifestSchemaUrl } from '../../compiler/deploy/schema.ts';
import { typecheckProjects } from './typecheck.ts';
import { profileModel } from '../../compiler/profile/profile.ts';
import { loadModel, scratchBytesFor } from '../../runtime/index.ts';
import { cliInProcess } from '../helpers/cli-in-process.ts';
import { audioModel, convImageModel, imageModel, tempDir } from './fixtures.ts';

/**
 * Which `platforms` entry mcconfig applies for `-p PLATFORM/SUB` (documentation/tools/manifest.md,
 * tools/mcmanifest.js): the longest exact (or `head/*`, `*\/tail`) match of PLATFORM/SUB then
 * PLATFORM, else the `...` fallback; `-p sim/NAME` is the host platform with sub-platform NAME.
 */
function matchPlatform(platforms: Record<string, Record<string, unknown>>, full: string): Record<string, unknown> | undefined {
  const parts = full.split('/');
  while (parts.length > 0) {
    const partial = parts.join('/');
    for (const key of Object.keys(platforms)) {
      if (key.endsWith('/*') ? partial.startsWith(key.slice(0, -1)) : key.startsWith('*/') ? partial.endsWith(key.slice(1)) : partial === key) return platforms[key];
    }
    parts.pop();
  }
  return platforms['...'];
}

const cli = join(import.meta.dirname, '../../bin/tempo-cim.js');
const root = tempDir('build');
const imagePath = imageModel(join(root, 'digits.tcm'));
const audioPath = audioModel(join(root, 'keywords.tcm'));
const projects: { app: string; device: string; dir: string; record: BuildRecord }[] = [];

beforeAll(async () => {
  for (const device of listDevices()) {
    for (const app of APP_NAMES) {
      const dir = join(root, `${app}-${device}`);
      const record = await buildProject({ modelPath: app === 'keywords' ? audioPath : imagePath, device, app, outDir: dir, count: 20 });
      projects.push({ app, device, dir, record });
    }
  }
});

describe('tempo-cim build', () => {
  it('makes a project for every app on every device', () => {
    expect(projects).toHaveLength(APP_NAMES.length * listDevices().length);
    const touch = projects.filter((p) => p.record.variant === 'digits-touch').map((p) => p.device);
    expect(touch.sort()).toEqual(['esp32', 'esp32s3', 'sim']);
    const shown = projects.filter((p) => p.record.variant === 'keywords-display').map((p) => p.device);
    expect(shown.sort()).toEqual(['esp32', 'esp32s3', 'sim']);
    expect(projects.find((p) => p.app === 'keywords' && p.device === 'esp32c3')?.record.variant).toBe('keywords');
    expect(projects.find((p) => p.app === 'digits' && p.device === 'esp32c3')?.record.variant).toBe('digits');
  });

  it('writes manifests that validate against the Moddable manifest schema', () => {
    const validate = loadValidator(manifestSchemaUrl);
    for (const { dir } of projects) {
      for (const file of ['manifest.json', 'manifest_runtime.json', 'manifest_app.json']) {
        expect({ file: join(dir, file), problems: validate(JSON.parse(readFileSync(join(dir, file), 'utf8'))) }).toEqual({ file: join(dir, file), problems: [] });
      }
    }
  });

  it('keeps the model in flash as a data resource', () => {
    for (const { dir } of projects) {
      const app = JSON.parse(readFileSync(join(dir, 'manifest_app.json'), 'utf8'));
      expect(app.data['*']).toContain('./model');
    }
  });

  it('puts the creation settings under the generated board only and refuses other targets', () => {
    for (const { dir, device, app } of projects) {
      const profile = loadDevice(device);
      const { platforms } = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
      const board = boardPlatformKey(profile);
      const generatedFor = board ?? 'lin/m5stack';
      // The board's own target gets its creation block (and an external microphone's wiring for keywords) ...
      const own = matchPlatform(platforms, generatedFor);
      expect(own?.error).toBeUndefined();
      if (board) {
        expect(own).toEqual({ creation: profile.moddable.creation, ...(app === 'keywords' && profile.inputs.microphone?.defines ? { defines: profile.inputs.microphone.defines } : {}) });
      }
      // ... the desktop simulators build with their own defaults ...
      for (const host of ['lin/m5stack', 'mac/m5stack', 'win/moddable_two', 'lin']) expect(matchPlatform(platforms, host)).toEqual({});
      // ... and every other board is refused with the device to regenerate for.
      for (const other of ['esp32/m5stack_core2', 'esp32/m5stack_cores3', 'esp32/esp32c3', 'esp32/m5stack', 'esp32', 'pico', 'esp/moddable_one']) {
        if (other === board) continue;
        const match = matchPlatform(platforms, other);
        expect(match?.creation).toBeUndefined();
        expect(match?.error).toMatch(new RegExp(`generated for .*device '${device}'.*--device NAME`));
      }
    }
    expect(loadDevice('esp32c3').moddable.creation.static).toBe(94208);
    const c3 = JSON.parse(readFileSync(join(root, 'bench-esp32c3', 'manifest.json'), 'utf8'));
    expect(c3.platforms['esp32/esp32c3'].creation.static).toBe(94208);
    expect(c3.platforms.esp32).toBeUndefined();
  });

  it('rejects a manifest with an unknown key or a malformed platform', () => {
    const validate = loadValidator(manifestSchemaUrl);
    expect(validate({ modules: { '*': './main' }, modul: {} })).not.toEqual([]);
    expect(validate({ platforms: { esp32: { creation: { chunk: { initial: -1 } } } } })).not.toEqual([]);
    expect(validate({ include: ['$(MODDABLE)/examples/manifest_base.json'], data: { '*': ['./model'] } })).toEqual([]);
  });

  it('generates TypeScript that type-checks against @moddable/typings', () => {
    const runtimeTypes = new Set(projects.map((p) => readFileSync(join(p.dir, 'tempo-cim-runtime.d.ts'), 'utf8')));
    expect(runtimeTypes.size).toBe(1);
    expect(typecheckProjects(projects.map((p) => p.dir))).toEqual([]);
  });

  it('catches a type error in a generated main', async () => {
    const dir = join(root, 'broken');
    await buildProject({ modelPath: imagePath, device: 'esp32c3', app: 'bench', outDir: dir, count: 5 });
    const main = readFileSync(join(dir, 'main.ts'), 'utf8').replaceAll('Time.ticks', 'Time.tick');
    writeFileSync(join(dir, 'main.ts'), main);
    expect(typecheckProjects([dir]).join('\n')).toMatch(/Property 'tick' does not exist/);
  });

  it('ships a runtime module that uses no Node APIs', () => {
    const source = readFileSync(join(projects[0].dir, 'tempo-cim-runtime.js'), 'utf8');
    expect(source).not.toMatch(/^\s*import\s/m);
    expect(source).not.toMatch(/\brequire\s*\(|\bprocess\.|\bBuffer\b|__dirname|__filename|globalThis\.global\b|['"]node:|\bsetImmediate\b|\bTextDecoder\b|\bWebAssembly\b/);
    expect(source).toMatch(/export\s*\{[^}]*loadModel/);
  });

  it('builds the native kernels into every project, and the audio front-end into audio apps only', () => {
    for (const { dir, record } of projects) {
      const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { include: string[] };
      const runtimeFragment = JSON.parse(readFileSync(join(dir, 'manifest_runtime.json'), 'utf8')) as { modules: Record<string, string | string[]> };
      expect(runtimeFragment.modules['tempo-cim-native']).toBe('./native/tempo-cim-native');
      for (const c of runtimeFragment.modules['*'] as string[]) expect(existsSync(join(dir, `${c}.c`)), c).toBe(true);
      expect(readFileSync(join(dir, 'native/tempo-cim-native.js'), 'utf8')).toMatch(/function layer\(\) @ "xs_tcim_layer";/);
      const audio = record.variant.startsWith('keywords');
      expect(manifest.include.includes('./manifest_frontend.json'), record.variant).toBe(audio);
      expect(existsSync(join(dir, 'tempo-cim-frontend.js')), record.variant).toBe(audio);
      expect(existsSync(join(dir, 'native/frontend.c')), record.variant).toBe(audio);
      // The runtime module itself holds no front-end code.
      expect(readFileSync(join(dir, 'tempo-cim-runtime.js'), 'utf8')).not.toMatch(/fixedFft|createAudioFrontend|melLog/);
    }
  });

  it('prints the mcconfig commands for the board and the simulator', () => {
    const dir = join(root, 'cli-esp32');
    const run = spawnSync(process.execPath, [cli, 'build', imagePath, '--device', 'esp32', '--app', 'bench', '--count', '10', '--out', dir], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`cd ${dir} && mcconfig -d -m -p esp32/m5stack_core2`);
    expect(run.stdout).toContain(`cd ${dir} && mcconfig -d -m -p sim/m5stack`);
  });

  it('refuses a model that needs more flash than the device has', () => {
    const big = imageModel(join(root, 'big.tcm'), { hidden: 1400 });
    const run = spawnSync(process.execPath, [cli, 'build', big, '--device', 'esp32c3', '--app', 'bench', '--count', '10', '--out', join(root, 'big')], { encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/needs [\d.]+ KiB of flash .* but device 'esp32c3' has 1024\.0 KiB for data/);
  });

  it('refuses a model that needs more RAM than the device allows', () => {
    const wide = imageModel(join(root, 'wide.tcm'), { side: 4, hidden: 3000 });
    const run = spawnSync(process.execPath, [cli, 'build', wide, '--device', 'esp32', '--app', 'digits', '--out', join(root, 'wide')], { encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/needs [\d.]+ KiB of RAM \(network scratch [\d.]+ KiB \+ app buffers [\d.]+ KiB\) but device 'esp32' allows 48\.0 KiB/);
    expect(run.stderr).not.toMatch(/of flash/);
  });

  describe('conv2d models: what profile counts', () => {
    const buildCli = (model: string, device: string, out: string) =>
      cliInProcess(['build', model, '--device', device, '--app', 'bench', '--count', '4', '--out', out]);

    it('refuses one whose scratch (the conv map before pooling) exceeds the RAM budget; one line, exit 2, nothing written', async () => {
      // The first layer's 28 x 28 x 64 codes before pooling (49 KiB) make most of its 67 KiB of
      // scratch; with 16 channels it fits.
      const wide = convImageModel(join(root, 'conv-wide.tcm'), { convs: [64, 4] });
      const model = loadModel(new Uint8Array(readFileSync(wide)));
      expect(scratchBytesFor(model, true)).toBeGreaterThan(48 * 1024);
      const out = join(root, 'conv-wide');
      const run = await buildCli(wide, 'esp32', out);
      expect(run.status).toBe(2);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      const scratch = /needs [\d.]+ KiB of RAM \(network scratch ([\d.]+) KiB \+ app buffers [\d.]+ KiB\) but device 'esp32' allows 48\.0 KiB/.exec(run.stderr);
      expect(scratch?.[1]).toBe((scratchBytesFor(model, true) / 1024).toFixed(1));
      expect(existsSync(out)).toBe(false);
      const narrow = convImageModel(join(root, 'conv-narrow.tcm'), { convs: [16, 4] });
      expect((await buildProject({ modelPath: narrow, device: 'esp32', app: 'bench', outDir: join(root, 'conv-narrow'), count: 4 })).budget.problems).toEqual([]);
    });

    it('refuses one whose XS slots (network + one inference, measured in XS) exceed the slot heap, as profile does', async () => {
      // A board like the ESP32 (no static block: a fixed slot heap) but with 500 slots; four layers
      // take about 50 slots each for the loaded network.
      const board = JSON.parse(readFileSync(join(import.meta.dirname, '../../devices/esp32.json'), 'utf8'));
      board.name = 'small-heap';
      board.moddable.creation.heap.initial = 500;
      const small = join(root, 'small-heap.json');
      writeFileSync(small, JSON.stringify(board));
      const deep = convImageModel(join(root, 'conv-deep.tcm'), { inputPool: 2, convs: [4, 8], hidden: [16] });
      const out = join(root, 'conv-deep-small');
      const run = await buildCli(deep, small, out);
      expect(run.status).toBe(2);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      const slots = /needs (\d+) XS slots \(network (\d+) \+ one inference (\d+)\) but device 'small-heap' has 500/.exec(run.stderr);
      expect(slots).not.toBeNull();
      expect(existsSync(out)).toBe(false);
      // The same figures `tempo-cim profile` measures and checks.
      const { profile } = await profileModel(new Uint8Array(readFileSync(deep)), loadDevice(small), { limit: 2, xsLimit: 1, wallSamples: 1, wallReps: 1 });
      expect(profile.fits).toBe(false);
      expect(profile.fit.slots).toEqual({ used: Number(slots![1]), budget: 500, fits: false });
      expect([profile.xsMemory.networkSlots, profile.xsMemory.inferenceSlots]).toEqual([Number(slots![2]), Number(slots![3])]);
      // The ESP32-C3 allocates slots and chunks in one static block (94,208 B) and grows its slot
      // heap (512 at start) into it: the block less the 32 KiB chunk budget, 3,840 slots, holds it.
      const record = await buildProject({ modelPath: deep, device: 'esp32c3', app: 'bench', outDir: join(root, 'conv-deep-c3'), count: 4 });
      expect(record.budget.slots).toEqual({ network: profile.xsMemory.networkSlots, inference: profile.xsMemory.inferenceSlots });
      expect(record.budget.slotBudget).toBe((94208 - 32768) / 16);
      expect(Number(slots![1])).toBeGreaterThan(512);
    });
  });

  it('refuses an app whose input the model does not take', async () => {
    await expect(buildProject({ modelPath: audioPath, device: 'esp32', app: 'digits', outDir: join(root, 'wrong') })).rejects.toThrow(/needs a model that takes images/);
  });
});
