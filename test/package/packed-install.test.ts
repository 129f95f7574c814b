// The package as a user gets it: `npm pack`, then `npm install --omit=dev` of the tarball into an
// empty folder outside the repository (so nothing resolves to the repository's node_modules), and
// `build`, `sim` and `profile` run from the installed bin. A module the CLI imports at run time but
// that sits in devDependencies fails here with "Cannot find package".
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticDigitsSpec } from '../../bench/synthetic-model.ts';
import { writeModel } from '../../compiler/tcm/writer.ts';

const repo = join(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));
// What the XS engine's install script builds: the worker binary and the release objects of XS that
// the simulator's host (xsnap with the native kernels linked in) is linked from.
const XS_BUILD = 'node_modules/@agoric/xsnap/xsnap-native/xsnap/build';

let dir: string;
let packedFiles: string[];
const app = () => join(dir, 'app');
const installed = () => join(app(), 'node_modules', 'tempo-cim');

// Asynchronous throughout: a worker blocked for a minute loses vitest's heartbeat.
const run = promisify(execFile);

/** Runs the installed CLI from the scratch folder, with relative paths as a user would type them. */
async function cli(...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [join(installed(), 'bin', 'tempo-cim.js'), ...args], { cwd: dir, encoding: 'utf8', timeout: 280_000 });
    return { status: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { status: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? String(error) };
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tempo-cim-packed-'));
  // dist/ comes from `npm run build`, which `npm test` runs first; --ignore-scripts skips a second build.
  const packed = JSON.parse((await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: repo, encoding: 'utf8' })).stdout);
  packedFiles = packed[0].files.map((f: { path: string }) => f.path);
  mkdirSync(app());
  writeFileSync(join(app(), 'package.json'), '{ "name": "packed-install-check", "private": true }\n');
  // Dependencies come from the local npm cache when it has them. Install scripts are skipped: the
  // only one that matters, the XS engine's C build (minutes on 2 cores), is checked by `npm ci`
  // itself; its output is copied from this checkout instead. The simulator's host is still built
  // from the installed package's own sources (compiler/xs/host, runtime/native).
  await run('npm', ['install', '--omit=dev', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', join(dir, packed[0].filename)], { cwd: app(), encoding: 'utf8' });
  cpSync(join(repo, XS_BUILD), join(app(), XS_BUILD), { recursive: true });
  writeFileSync(join(dir, 'model.tcm'), writeModel(syntheticDigitsSpec({ hidden: [16], seed: 2, calibrationImages: 8 })));
}, 600_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the packed package installed without devDependencies', () => {
  it('ships the CLI, the bundled runtime, manifests and board profiles, and no tests', () => {
    for (const file of ['bin/tempo-cim.js', 'compiler/cli/main.ts', 'dist/tempo-cim-runtime.js', 'dist/tempo-cim-runtime.xs.js', 'dist/tempo-cim-runtime.d.ts', 'devices/esp32.json', 'manifests/manifest.schema.json']) {
      expect(packedFiles).toContain(file);
    }
    expect(packedFiles.filter((f) => f.startsWith('test/') || f.startsWith('bench/'))).toEqual([]);
    // No devDependency was installed, so nothing below can have borrowed one.
    for (const name of Object.keys(pkg.devDependencies)) expect(existsSync(join(app(), 'node_modules', name)), name).toBe(false);
    for (const name of Object.keys(pkg.dependencies)) expect(existsSync(join(app(), 'node_modules', name)), name).toBe(true);
  });

  it('build writes a simulator project, sim runs it in XS, profile measures the model', async () => {
    // profile runs beside build and then sim.
    const profiled = cli('profile', 'model.tcm', '--device', 'esp32', '--json', '--limit', '10');
    const build = await cli('build', 'model.tcm', '--device', 'sim', '--app', 'bench', '--out', 'proj');
    expect(build.stderr).toBe('');
    expect(build.status).toBe(0);
    expect(build.stdout).toMatch(/^wrote bench app for sim to proj/);
    expect(readFileSync(join(dir, 'proj', 'model.tcm'))).toEqual(readFileSync(join(dir, 'model.tcm')));

    const sim = await cli('sim', 'proj');
    expect(sim.stderr).toBe('');
    expect(sim.status).toBe(0);
    expect(sim.stdout).toMatch(/^accuracy: \d+\/100 = /m);

    const profile = await profiled;
    expect(profile.stderr).toBe('');
    expect(profile.status).toBe(0);
    const json = JSON.parse(profile.stdout);
    expect(json.modelBytes).toBe(readFileSync(join(dir, 'model.tcm')).length);
    expect(json.xsComputeMedian).toBeGreaterThan(0);
    expect(json.enginesAgree).toBe(true);
    expect(json.fits).toBe(true);
  }, 300_000);
});
