// Bundles runtime/ (TypeScript, standard ECMAScript only) into one module for Moddable manifests
// (dist/tempo-cim-runtime.js, ES module) and a script for the XS harness
// (dist/tempo-cim-runtime.xs.js, defines globalThis.TempoCIM). TypeScript is stripped by esbuild.
import { transform } from 'esbuild';

const stripTypes = {
  name: 'strip-types',
  async transform(code, id) {
    if (!id.endsWith('.ts')) return null;
    const result = await transform(code, { loader: 'ts', target: 'es2022', sourcefile: id });
    return { code: result.code, map: result.map || null };
  },
};

export default {
  input: 'runtime/index.ts',
  plugins: [stripTypes],
  output: [
    { file: 'dist/tempo-cim-runtime.js', format: 'es' },
    { file: 'dist/tempo-cim-runtime.xs.js', format: 'iife', name: 'TempoCIM' },
  ],
};
