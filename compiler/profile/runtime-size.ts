/**
 * Flash taken by the runtime module: the rollup bundle that a generated project copies
 * (dist/tempo-cim-runtime.js), and the same bundle minified with esbuild for comparison.
 * On a device mcconfig compiles the module to XS bytecode; that size needs Moddable's xsc and is
 * not measured here.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { transform } from 'esbuild';
import { UserError } from '../errors.ts';

export const RUNTIME_BUNDLE = fileURLToPath(new URL('../../dist/tempo-cim-runtime.js', import.meta.url));

export interface RuntimeSize {
  /** Bytes of dist/tempo-cim-runtime.js as deployed. */
  bundleBytes: number;
  /** Bytes of the bundle after esbuild minification (whitespace, identifiers, syntax). */
  minifiedBytes: number;
}

export async function measureRuntimeSize(path = RUNTIME_BUNDLE): Promise<RuntimeSize> {
  if (!existsSync(path)) throw new UserError(`the bundled runtime ${path} is missing: run 'npm run build' first`);
  const source = readFileSync(path, 'utf8');
  const minified = await transform(source, { minify: true, format: 'esm', target: 'es2022', loader: 'js' });
  return { bundleBytes: Buffer.byteLength(source), minifiedBytes: Buffer.byteLength(minified.code) };
}
