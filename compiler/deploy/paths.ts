/** Where the generator finds its inputs in the tempo-cim package. */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { UserError } from '../errors.ts';

export const packageRoot = fileURLToPath(new URL('../../', import.meta.url));
export const manifestsDir = fileURLToPath(new URL('../../manifests/', import.meta.url));
export const appsDir = fileURLToPath(new URL('../../manifests/apps/', import.meta.url));

/** The runtime bundled by rollup (`npm run build`) as one ES module for Moddable. */
export function runtimeBundlePath(): string {
  return built('tempo-cim-runtime.js');
}

/** The runtime module's types, rolled up from runtime/ by the same build (the apps type-check against them). */
export function runtimeTypesPath(): string {
  return built('tempo-cim-runtime.d.ts');
}

/** The audio front-end module (a separate bundle, only in audio apps) and its types. */
export function frontendBundlePath(): string {
  return built('tempo-cim-frontend.js');
}

export function frontendTypesPath(): string {
  return built('tempo-cim-frontend.d.ts');
}

/** Files of nativeDir that belong to the audio front-end (copied into audio apps only). */
export function isFrontendNativeFile(name: string): boolean {
  return name.startsWith('frontend.') || name.startsWith('tempo-cim-native-frontend.');
}

/** The native kernels (C through xsmc) and their Moddable binding module, copied into every project. */
export const nativeDir = fileURLToPath(new URL('../../runtime/native/', import.meta.url));

function built(name: string): string {
  const path = fileURLToPath(new URL(`../../dist/${name}`, import.meta.url));
  if (!existsSync(path)) throw new UserError(`the bundled runtime file ${path} is missing: run 'npm run build' first`);
  return path;
}
