/**
 * A headless Chromium for browser tests on a bare machine: the binary, its NSS/expat libraries and
 * fonts come brotli-packed inside the npm package @sparticuz/chromium (no system browser, no
 * download); playwright-core drives it. The first call unpacks them once per package version into
 * node_modules/.cache (about 7 s); later runs reuse that copy.
 */
import { execFile } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createBrotliDecompress } from 'node:zlib';
import { chromium, type Browser } from 'playwright-core';

// The package exports only its launcher module (build/cjs/index.cjs); its bin/ folder is two up.
const packageDir = join(dirname(createRequire(import.meta.url).resolve('@sparticuz/chromium')), '..', '..');
const packageVersion: string = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')).version;
const cacheDir = fileURLToPath(new URL(`../../node_modules/.cache/tempo-cim-chromium/${packageVersion}`, import.meta.url));

/** bin/chromium.br is the brotli-packed executable; the *.tar.br are brotli-packed tar archives
 * (the SwiftShader GL libraries sit beside the executable, fonts and al2023 in their own folders).
 * Archives are decompressed to a file first: tar may stop reading at its end-of-archive marker,
 * which would cut a pipe into it short. */
async function unpack(file: string, into: string): Promise<void> {
  const plain = join(into, file.replace(/\.br$/, ''));
  await pipeline(createReadStream(join(packageDir, 'bin', file)), createBrotliDecompress(), createWriteStream(plain, { mode: 0o755 }));
  if (!file.endsWith('.tar.br')) return;
  const dir = file === 'swiftshader.tar.br' ? into : join(into, file.replace(/\.tar\.br$/, ''));
  mkdirSync(dir, { recursive: true });
  await promisify(execFile)('tar', ['-x', '--no-same-owner', '-f', plain, '-C', dir]);
  rmSync(plain);
}

/** Unpacks into a private folder, then renames it into place: a run killed midway or a second
 * test process never sees a half-written browser. */
async function unpacked(): Promise<string> {
  if (existsSync(join(cacheDir, 'chromium'))) return cacheDir;
  const staging = `${cacheDir}.${process.pid}.tmp`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  await Promise.all(['chromium.br', 'fonts.tar.br', 'swiftshader.tar.br', 'al2023.tar.br'].map((file) => unpack(file, staging)));
  try {
    renameSync(staging, cacheDir);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(join(cacheDir, 'chromium'))) throw error;
  }
  return cacheDir;
}

/** Launches the packaged headless Chromium with no network and its own libraries. */
export async function launchChromium(): Promise<Browser> {
  const dir = await unpacked();
  return chromium.launch({
    executablePath: join(dir, 'chromium'),
    args: ['--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    env: { ...process.env, LD_LIBRARY_PATH: join(dir, 'al2023', 'lib'), FONTCONFIG_PATH: join(dir, 'fonts') },
    timeout: 60_000,
  });
}
