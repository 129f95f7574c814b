/**
 * Builds (once, cached) the XS test host: @agoric/xsnap's worker with the native kernels of
 * runtime/native linked in (compiler/xs/host/Makefile), using the machine's make and C compiler.
 * The cache key hashes the kernel and host sources and the build flags, so an edited kernel is
 * never run from a stale binary. Concurrent builders each build in a temporary folder and rename.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type HostVariant = 'release' | 'sanitize';

const HOST_DIR = fileURLToPath(new URL('./host/', import.meta.url));
const NATIVE_DIR = fileURLToPath(new URL('../../runtime/native/', import.meta.url));
const BINARY = 'tempo-cim-xs-host';

const VARIANTS: Record<HostVariant, { opt: string; san: string; xsOpt: string; xsSan: string; prebuilt: boolean }> = {
  // Links xsnap's own release objects of XS: only the kernels and the worker are compiled.
  release: { opt: '-O2', san: '', xsOpt: '-O2', xsSan: '', prebuilt: true },
  // Our C (kernels and glue) with AddressSanitizer + UndefinedBehaviorSanitizer, any finding fatal;
  // XS itself with AddressSanitizer only (its interpreter reads unaligned bytecode operands on
  // purpose, which UBSan would report), unoptimized to compile faster (a few minutes of CPU).
  sanitize: {
    opt: '-O1 -g -fno-omit-frame-pointer', san: '-fsanitize=address,undefined -fno-sanitize-recover=undefined',
    xsOpt: '-O0', xsSan: '-fsanitize=address', prebuilt: false,
  },
};

function xsnapRoot(): string {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve('@agoric/xsnap/package.json'));
}

function sourceHash(variant: HostVariant, xsnap: string): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify(VARIANTS[variant]));
  hash.update(readFileSync(join(xsnap, 'package.json')));
  for (const dir of [NATIVE_DIR, HOST_DIR]) {
    for (const name of readdirSync(dir).sort()) {
      if (/\.(c|h)$|^Makefile$/.test(name)) hash.update(name).update(readFileSync(join(dir, name)));
    }
  }
  return hash.digest('hex').slice(0, 16);
}

/**
 * Path of the host binary for `variant`, building it first if needed (throws with make's output).
 * TEMPO_NATIVE_HOST=sanitize in the environment turns every 'release' request into 'sanitize', so
 * the test suites run their native-kernel cases under ASan + UBSan unchanged.
 */
export function nativeHostPath(requested: HostVariant = 'release'): string {
  const variant: HostVariant = process.env.TEMPO_NATIVE_HOST === 'sanitize' ? 'sanitize' : requested;
  const xsnap = xsnapRoot();
  const cacheRoot = join(xsnap, '..', '..', '.cache', 'tempo-cim-xs-host');
  const out = join(cacheRoot, `${variant}-${sourceHash(variant, xsnap)}`);
  const binary = join(out, BINARY);
  if (existsSync(binary)) return binary;
  const settings = VARIANTS[variant];
  const prebuilt = join(xsnap, 'xsnap-native/xsnap/build/tmp/lin/release/xsnap-worker');
  const usePrebuilt = settings.prebuilt && existsSync(join(prebuilt, 'xsAll.o'));
  const temp = `${out}.tmp-${process.pid}`;
  mkdirSync(temp, { recursive: true });
  try {
    execFileSync('make', [
      '-s', '-j2', '-C', HOST_DIR, `XSNAP=${xsnap}`, `NATIVE=${NATIVE_DIR}`, `OUT=${temp}`,
      `OPT=${settings.opt}`, `SAN=${settings.san}`, `XS_OPT=${settings.xsOpt}`, `XS_SAN=${settings.xsSan}`,
      `PREBUILT=${usePrebuilt ? prebuilt : ''}`,
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      renameSync(temp, out);
    } catch {
      // Another process finished first; its binary is the same.
      rmSync(temp, { recursive: true, force: true });
    }
  } catch (error) {
    rmSync(temp, { recursive: true, force: true });
    const e = error as { stderr?: Buffer; message: string };
    throw new Error(`building the XS test host failed (needs make and a C compiler): ${e.stderr?.toString() || e.message}`);
  }
  return binary;
}
