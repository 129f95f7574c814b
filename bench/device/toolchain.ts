/**
 * Tools and builds for the device-instruction harness: the Debian packages it needs (installed
 * with apt-get when running as root, else named), the RV32IMC device image (XS from
 * @agoric/xsnap + the harness's platform layer + optionally the native kernels) and the QEMU
 * counting plugin. Objects are cached under build/device-rv32/ by a hash of source and flags.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { cpus } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const here = join(repoRoot, 'bench/device');

export const PACKAGES = ['gcc-riscv64-unknown-elf', 'picolibc-riscv64-unknown-elf', 'qemu-user', 'gcc'];
const CROSS_CC = 'riscv64-unknown-elf-gcc';
const PICOLIBC_SPECS = '/usr/lib/picolibc/riscv64-unknown-elf/picolibc.specs';
/** qemu-user's dynamically linked emulator: the only one that loads plugins (qemu-user-static's does not). */
const QEMU = 'qemu-riscv32';

export const TARGET_FLAGS = ['-march=rv32imc', '-mabi=ilp32', '--specs=picolibc.specs'];
/** As a Moddable release build for a device: -Os, XS without debugger, meter or console. */
export const XS_FLAGS = [
  '-Os', '-ffunction-sections', '-fdata-sections', '-fno-common',
  '-DINCLUDE_XSPLATFORM', '-DXSPLATFORM="rv32_xs.h"',
  '-DmxRun=1', '-DmxParse=1', '-DmxNoConsole=1', '-DmxHostFunctionPrimitive=1',
];

function onPath(tool: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0;
}

function missingPackages(): string[] {
  const missing: string[] = [];
  if (!onPath(CROSS_CC)) missing.push('gcc-riscv64-unknown-elf');
  if (!existsSync(PICOLIBC_SPECS)) missing.push('picolibc-riscv64-unknown-elf');
  if (!onPath(QEMU)) missing.push('qemu-user');
  if (!onPath('cc')) missing.push('gcc');
  return missing;
}

/** Makes sure the Debian packages are there: installs them as root (saying so), else throws naming them. */
export function ensurePackages(install: boolean, log: (line: string) => void): void {
  const missing = missingPackages();
  if (missing.length === 0) return;
  const command = `apt-get install -y ${missing.join(' ')}`;
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!install || !root) {
    throw new Error(`device-bench needs the Debian packages ${missing.join(', ')}: run \`sudo ${command}\`${install ? '' : ' (or drop --no-install when root)'}`);
  }
  log(`device-bench: installing Debian packages: ${command}`);
  const result = spawnSync('sh', ['-c', `apt-get update -qq && DEBIAN_FRONTEND=noninteractive ${command}`], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`\`${command}\` failed (exit ${result.status})`);
  const still = missingPackages();
  if (still.length > 0) throw new Error(`still missing after apt-get: ${still.join(', ')}`);
}

function firstLine(command: string, args: string[]): string {
  return execFileSync(command, args, { encoding: 'utf8' }).split('\n')[0].trim();
}

export interface Toolchain {
  compiler: string;
  emulator: string;
  qemuMajor: number;
}

export function toolchainVersions(): Toolchain {
  const emulator = firstLine(QEMU, ['--version']);
  const m = /version (\d+)\./.exec(emulator);
  return { compiler: firstLine(CROSS_CC, ['--version']), emulator, qemuMajor: m ? Number(m[1]) : 0 };
}

function hashOf(...parts: (string | Uint8Array)[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return h.digest('hex').slice(0, 16);
}

export const buildDir = join(repoRoot, 'build/device-rv32');

export function xsnapDir(): string {
  const dir = join(repoRoot, 'node_modules/@agoric/xsnap/moddable/xs');
  if (!existsSync(join(dir, 'sources/xsAll.c'))) throw new Error(`XS sources not found in ${dir} (run npm install)`);
  return dir;
}

/** Runs jobs with at most `width` at a time (compiles are independent). */
async function parallel<T>(items: T[], width: number, job: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await job(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolvePromise();
      else reject(new Error(`${command} ${args.slice(-3).join(' ')} failed:\n${stderr.slice(0, 2000)}`));
    });
  });
}

export interface ImageOptions {
  /** C files of native kernels (runtime/native/*.c) plus the glue that installs them; null: TypeScript kernels only. */
  native: { sources: string[]; includeDir: string; glue: string[] } | null;
  progress?: (done: number, total: number) => void;
}

/** Compiles (cached) and links the device image; returns the ELF path. */
export async function buildImage(options: ImageOptions): Promise<string> {
  const xs = xsnapDir();
  const platform = join(here, 'rv32');
  const includes = [`-I${xs}/includes`, `-I${xs}/platforms`, `-I${xs}/sources`, `-I${platform}`];
  if (options.native) includes.push(`-I${options.native.includeDir}`);
  const flags = [...TARGET_FLAGS, ...XS_FLAGS, ...includes, '-w'];
  const sources = [
    ...readdirSync(join(xs, 'sources')).filter((f) => /^xs.*\.c$/.test(f)).sort().map((f) => join(xs, 'sources', f)),
    join(platform, 'crt0.S'), join(platform, 'syscalls.c'), join(platform, 'xs_platform.c'), join(platform, 'host.c'),
    ...(options.native ? [...options.native.sources, ...options.native.glue] : [join(platform, 'no_natives.c')]),
  ];
  const objDir = join(buildDir, 'obj');
  mkdirSync(objDir, { recursive: true });
  const headers = readdirSync(platform).filter((f) => f.endsWith('.h')).map((f) => readFileSync(join(platform, f)));
  const nativeHeaders = options.native ? readdirSync(options.native.includeDir).filter((f) => f.endsWith('.h')).map((f) => readFileSync(join(options.native!.includeDir, f))) : [];
  const objects = sources.map((src) => join(objDir, `${basename(src).replace(/\.[cS]$/, '')}-${hashOf(flags.join(' '), readFileSync(src), ...headers, ...nativeHeaders)}.o`));
  const todo = sources.map((src, i) => ({ src, obj: objects[i] })).filter((j) => !existsSync(j.obj));
  let done = 0;
  options.progress?.(0, todo.length);
  await parallel(todo, Math.max(1, Math.min(2, cpus().length)), async ({ src, obj }) => {
    await run('nice', ['-n', '10', CROSS_CC, ...flags, '-c', src, '-o', `${obj}.tmp`]);
    renameSync(`${obj}.tmp`, obj);
    options.progress?.(++done, todo.length);
  });
  const elf = join(buildDir, options.native ? 'tempo-rv32-native.elf' : 'tempo-rv32.elf');
  await run(CROSS_CC, [...TARGET_FLAGS, '-nostartfiles', '-T', join(platform, 'link.ld'), '-Wl,--gc-sections', ...objects, '-lm', '-o', elf]);
  return elf;
}

function compilePlugin(api: number): string {
  const out = join(buildDir, `insn_count-api${api}.so`);
  execFileSync('cc', ['-shared', '-fPIC', '-O2', '-fvisibility=hidden', '-Wall', '-Wextra', `-DTC_PLUGIN_API=${api}`,
    join(here, 'plugin/insn_count.c'), '-o', out]);
  return out;
}

/**
 * Builds the counting plugin for the installed QEMU. The API version it must declare is not
 * printed anywhere, so start from 1 (QEMU 4.2-8.x) and, if QEMU refuses, rebuild with the version
 * its refusal names.
 */
export function buildPlugin(elf: string): string {
  mkdirSync(buildDir, { recursive: true });
  let api = Number(process.env.TEMPO_QEMU_PLUGIN_API ?? 1);
  for (let attempt = 0; attempt < 2; attempt++) {
    const plugin = compilePlugin(api);
    const probe = spawnSync(QEMU, ['-plugin', `${plugin},out=/dev/null`, elf], { encoding: 'utf8' });
    const refusal = /supports only (?:a minimum version of|up to version) (\d+)/.exec(probe.stderr);
    if (!refusal) return plugin;
    api = Number(refusal[1]);
  }
  throw new Error(`${QEMU} does not load the counting plugin (tried API versions up to ${api})`);
}

export const QEMU_BINARY = QEMU;
