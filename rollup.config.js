// Bundles runtime/ (TypeScript, standard ECMAScript only) into one module for Moddable manifests
// (dist/tempo-cim-runtime.js, ES module) and a script for the XS harness
// (dist/tempo-cim-runtime.xs.js, defines globalThis.TempoCIM). TypeScript is stripped by esbuild.
// The module's types (dist/tempo-cim-runtime.d.ts, shipped with generated apps) are rolled up from
// the same sources, so the apps type-check against the runtime itself.
// The audio front-end is a module of its own (dist/tempo-cim-frontend.js, .xs.js defines
// globalThis.TempoFrontend), importing the runtime's errors and kernel helpers from
// "tempo-cim-runtime", so apps without audio carry none of it.
import { fileURLToPath } from 'node:url';
import { transform } from 'esbuild';
import { dts } from 'rollup-plugin-dts';

const stripTypes = {
  name: 'strip-types',
  async transform(code, id) {
    if (!id.endsWith('.ts')) return null;
    const result = await transform(code, { loader: 'ts', target: 'es2022', sourcefile: id });
    return { code: result.code, map: result.map || null };
  },
};

// runtime/ files the front-end takes from the runtime module instead of bundling a second copy.
const FROM_RUNTIME = ['errors.ts', 'kernels.ts'].map((f) => fileURLToPath(new URL(`./runtime/${f}`, import.meta.url)));
const runtimeExternal = {
  name: 'runtime-external',
  async resolveId(source, importer, options) {
    if (!importer || !source.startsWith('.')) return null;
    const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
    return resolved && FROM_RUNTIME.includes(resolved.id) ? { id: 'tempo-cim-runtime', external: true } : null;
  },
};

export default [
  {
    input: 'runtime/index.ts',
    plugins: [stripTypes],
    output: [
      { file: 'dist/tempo-cim-runtime.js', format: 'es' },
      { file: 'dist/tempo-cim-runtime.xs.js', format: 'iife', name: 'TempoCIM' },
    ],
  },
  {
    input: 'runtime/index.ts',
    plugins: [dts({ compilerOptions: { allowImportingTsExtensions: true } })],
    output: { file: 'dist/tempo-cim-runtime.d.ts', format: 'es' },
  },
  {
    input: 'runtime/frontend/index.ts',
    plugins: [runtimeExternal, stripTypes],
    output: [
      { file: 'dist/tempo-cim-frontend.js', format: 'es' },
      { file: 'dist/tempo-cim-frontend.xs.js', format: 'iife', name: 'TempoFrontend', globals: { 'tempo-cim-runtime': 'TempoCIM' } },
    ],
  },
  {
    input: 'runtime/frontend/index.ts',
    plugins: [runtimeExternal, dts({ compilerOptions: { allowImportingTsExtensions: true } })],
    output: { file: 'dist/tempo-cim-frontend.d.ts', format: 'es' },
  },
];
