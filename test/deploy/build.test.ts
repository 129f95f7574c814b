import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { APP_NAMES } from '../../compiler/deploy/apps.ts';
import { listDevices } from '../../compiler/deploy/devices.ts';
import { buildProject, type BuildRecord } from '../../compiler/deploy/project.ts';
import { loadValidator, manifestSchemaUrl } from '../../compiler/deploy/schema.ts';
import { typecheckProjects } from '../../compiler/deploy/typecheck.ts';
import { audioModel, imageModel, tempDir } from './fixtures.ts';

const cli = join(import.meta.dirname, '../../bin/tempo-cim.js');
const root = tempDir('build');
const imagePath = imageModel(join(root, 'digits.tcm'));
const audioPath = audioModel(join(root, 'keywords.tcm'));
const projects: { app: string; device: string; dir: string; record: BuildRecord }[] = [];

beforeAll(() => {
  for (const device of listDevices()) {
    for (const app of APP_NAMES) {
      const dir = join(root, `${app}-${device}`);
      const record = buildProject({ modelPath: app === 'keywords' ? audioPath : imagePath, device, app, outDir: dir, count: 20 });
      projects.push({ app, device, dir, record });
    }
  }
});

describe('tempo-cim build', () => {
  it('makes a project for every app on every device', () => {
    expect(projects).toHaveLength(APP_NAMES.length * listDevices().length);
    const touch = projects.filter((p) => p.record.variant === 'digits-touch').map((p) => p.device);
    expect(touch.sort()).toEqual(['esp32', 'esp32s3', 'sim']);
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

  it('keeps the model in flash as a data resource and sets the board creation settings', () => {
    for (const { dir, record } of projects) {
      const app = JSON.parse(readFileSync(join(dir, 'manifest_app.json'), 'utf8'));
      expect(app.data['*']).toContain('./model');
      const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
      expect(manifest.platforms.esp32.creation).toEqual(record.budget.chunkHeapBytes === 94208 ? expect.objectContaining({ static: 94208 }) : expect.objectContaining({ chunk: { initial: 78848, incremental: 0 } }));
    }
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

  it('catches a type error in a generated main', () => {
    const dir = join(root, 'broken');
    buildProject({ modelPath: imagePath, device: 'esp32c3', app: 'bench', outDir: dir, count: 5 });
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

  it('refuses an app whose input the model does not take', () => {
    expect(() => buildProject({ modelPath: audioPath, device: 'esp32', app: 'digits', outDir: join(root, 'wrong') })).toThrow(/needs a model that takes images/);
  });
});
