/**
 * Bundles a generated project's main module (and what it imports: app helpers, the bundled
 * runtime module, the project's own simulator stand-ins) into one script for XS, with the
 * Moddable modules it imports replaced by the stand-ins in ./shims.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { UserError } from '../../errors.ts';

const shim = (name: string): string => fileURLToPath(new URL(`./shims/${name}.ts`, import.meta.url));

/** Moddable module specifiers the stand-ins provide. */
export const SHIMMED_MODULES: Record<string, string> = {
  Resource: shim('resource'),
  time: shim('time'),
  timer: shim('timer'),
  instrumentation: shim('instrumentation'),
  'piu/MC': shim('piu'),
  'tempo-cim-native': shim('native'),
  'tempo-cim-native-frontend': shim('native'),
};

function moddableModules(projectDir: string, config: unknown): Plugin {
  return {
    name: 'moddable-stand-ins',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, (args) => {
        if (args.path in SHIMMED_MODULES) return { path: SHIMMED_MODULES[args.path] };
        if (args.path === 'mc/config') return { path: 'mc/config', namespace: 'tempo-cim-config' };
        if (args.path === 'tempo-cim-runtime' || args.path === 'tempo-cim-frontend') return { path: join(projectDir, `${args.path}.js`) };
        if (args.path === 'embedded:io/audio/in') {
          const standIn = join(projectDir, 'sim', 'audioin.ts');
          if (!existsSync(standIn)) throw new UserError(`${projectDir} has no sim/audioin.ts for embedded:io/audio/in`);
          return { path: standIn };
        }
        return { errors: [{ text: `the simulator has no stand-in for Moddable module "${args.path}"` }] };
      });
      b.onLoad({ filter: /.*/, namespace: 'tempo-cim-config' }, () => ({
        contents: `export default Object.freeze(${JSON.stringify({ file: { root: '/' }, ...(config as object) })});`,
        loader: 'js',
      }));
    },
  };
}

/** One XS script: the trace stand-in, then the app's main module and everything it imports. */
export async function bundleProject(dir: string, config: unknown): Promise<string> {
  // esbuild takes only absolute paths from plugins and reads `import "proj/main.ts"` as a package name.
  const projectDir = resolve(dir);
  const main = join(projectDir, 'main.ts');
  if (!existsSync(main)) throw new UserError(`${dir} has no main.ts`);
  // TypeScript drops `import {} from "piu/MC"` (no bindings); Piu installs its globals on load, so
  // the stand-in is loaded first whenever the main module names it.
  const preludes = [shim('trace'), ...(readFileSync(main, 'utf8').includes('"piu/MC"') ? [shim('piu')] : [])];
  const entry = [...preludes, main].map((path) => `import ${JSON.stringify(path)};`).join('\n');
  const result = await build({
    stdin: { contents: entry, resolveDir: projectDir, loader: 'ts' },
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'neutral',
    target: 'es2022',
    logLevel: 'silent',
    plugins: [moddableModules(projectDir, config)],
  }).catch((error: Error & { errors?: { text: string }[] }) => {
    throw new UserError(`cannot bundle ${main}: ${error.errors?.map((e) => e.text).join('; ') ?? error.message}`);
  });
  return result.outputFiles[0].text;
}
