// Bundles runtime/ (TypeScript, standard ECMAScript only) into one module for Moddable manifests
// (dist/tempo-cim-runtime.js, ES module) and a script for the XS harness
// (dist/tempo-cim-runtime.xs.js, defines globalThis.TempoCIM). TypeScript is stripped by esbuild.
// The module's types (dist/tempo-cim-runtime.d.ts, shipped with generated apps) are rolled up from
// the same sources, so the apps type-check against the runtime itself.
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
];
