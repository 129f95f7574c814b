/**
 * Type-checks generated projects' TypeScript (main.ts, app/*.ts, sim/*.ts) against the npm
 * package @moddable/typings, as mcconfig's tsc step would, in one TypeScript program over all
 * the projects (every project ships the same tempo-cim-runtime.d.ts; the first one types the
 * `tempo-cim-runtime` import for all).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import ts from 'typescript';

/** The @moddable/typings declarations the apps' imports need (XS globals, Moddable modules). */
const TYPINGS = [
  'xs.d.ts', 'global.d.ts', 'Resource.d.ts', 'time.d.ts', 'timer.d.ts', 'instrumentation.d.ts', 'mc/config.d.ts',
  'piu/MC.d.ts', 'embedded_io/_common.d.ts', 'embedded_io/audioin.d.ts',
];

function typingsDir(): string {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve('@moddable/typings/package.json'));
}

function projectSources(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) found.push(path);
    }
  };
  walk(dir);
  return found;
}

/** Diagnostics as `file(line,col): message` lines; empty when every project type-checks. */
export function typecheckProjects(projectDirs: string[]): string[] {
  if (projectDirs.length === 0) return [];
  const typings = typingsDir();
  const audioDir = projectDirs.find((dir) => existsSync(join(dir, 'tempo-cim-frontend.d.ts'))) ?? projectDirs[0];
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2024.d.ts'],
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    strict: true,
    noEmit: true,
    types: [],
    skipLibCheck: true,
    baseUrl: projectDirs[0],
    paths: {
      'tempo-cim-runtime': [join(projectDirs[0], 'tempo-cim-runtime')],
      'tempo-cim-native': [join(projectDirs[0], 'native', 'tempo-cim-native')],
      // Only audio projects carry the front-end module; any one of them types it for all.
      'tempo-cim-frontend': [join(audioDir, 'tempo-cim-frontend')],
      'tempo-cim-native-frontend': [join(audioDir, 'native', 'tempo-cim-native-frontend')],
    },
  };
  const roots = [...TYPINGS.map((f) => join(typings, f)), ...projectDirs.flatMap(projectSources)];
  const program = ts.createProgram(roots, options);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    if (!d.file || d.start === undefined) return message;
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
    return `${d.file.fileName}(${line + 1},${character + 1}): ${message}`;
  });
}
