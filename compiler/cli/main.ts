/**
 * tempo-cim command-line entry: dispatches to one module per command (compiler/cli/<name>.ts),
 * each exporting `summary`, `usage` and `run(args): Promise<number>`.
 * User errors (UserError and its subclasses, and the runtime's ModelError and InputError) print one
 * line and exit 2; other errors exit 1; --verbose shows the stack.
 */
import { InputError, ModelError } from '../../runtime/errors.ts';
import { UserError } from '../errors.ts';

interface CommandModule {
  summary: string;
  usage: string;
  run(args: string[]): Promise<number>;
}

/** Command name -> module loader; lazily imported so `--help` and small commands start fast. */
const commands: Record<string, () => Promise<CommandModule>> = {
  start: () => import('./start.ts'),
  train: () => import('./train.ts'),
  eval: () => import('./eval.ts'),
  run: () => import('./run.ts'),
  inspect: () => import('./inspect.ts'),
  ablate: () => import('./ablate.ts'),
  data: () => import('./data.ts'),
  build: () => import('./build.ts'),
  sim: () => import('./sim.ts'),
  profile: () => import('./profile.ts'),
  robustness: () => import('./robustness.ts'),
  report: () => import('./report.ts'),
  bench: () => import('./bench.ts'),
};

async function helpText(): Promise<string> {
  const lines = ['Usage: tempo-cim <command> [options]', '', 'Commands:'];
  for (const [name, load] of Object.entries(commands)) {
    let summary: string;
    try {
      summary = (await load()).summary;
    } catch {
      summary = '(not available in this build)';
    }
    lines.push(`  ${name.padEnd(9)} ${summary}`);
  }
  lines.push('', 'Run `tempo-cim <command> --help` for a command\'s options.', 'Global: --verbose prints stack traces on errors.');
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const verbose = argv.includes('--verbose');
  const args = argv.filter((a) => a !== '--verbose');
  const name = args[0];
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(await helpText());
    return name ? 0 : 1;
  }
  if (name === '--version' || name === '-v') {
    const { readFileSync } = await import('node:fs');
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    console.log(pkg.version);
    return 0;
  }
  const load = commands[name];
  if (!load) {
    console.error(`tempo-cim: unknown command '${name}'. Run 'tempo-cim --help' for the list.`);
    return 2;
  }
  try {
    const command = await load();
    const rest = args.slice(1);
    if (rest.includes('--help') || rest.includes('-h')) {
      console.log(command.usage.trim());
      return 0;
    }
    return await command.run(rest);
  } catch (error) {
    const err = error as Error & { code?: string };
    if (verbose) console.error(err?.stack ?? err);
    const userError = err instanceof UserError || err instanceof ModelError || err instanceof InputError;
    console.error(`tempo-cim ${name}: ${err?.message ?? String(err)}${userError || verbose ? '' : ' (run with --verbose for details)'}`);
    return userError ? 2 : 1;
  }
}
