// Command-line option parsing shared by the CLI and the scripts (bench, fuzz, verify).
/** Minimal, strict option parsing shared by the commands: unknown options are user errors. */
import { UserError } from '../errors.ts';

/** A bad command line: unknown option, missing or malformed value, conflicting flags. */
export class CliError extends UserError {
  override name = 'CliError';
}

export type OptionKind = 'string' | 'number' | 'boolean';

export interface ParsedArgs {
  positional: string[];
  options: Record<string, string | number | boolean | undefined>;
}

/**
 * Parses `--name value`, `--name=value` and boolean `--flag` forms against a declared option table.
 * Numbers are checked to be finite; unknown options throw CliError naming the option.
 */
export function parseArgs(argv: string[], spec: Record<string, OptionKind>): ParsedArgs {
  const positional: string[] = [];
  const options: ParsedArgs['options'] = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const kind = spec[name];
    if (!kind) throw new CliError(`unknown option --${name}`);
    if (kind === 'boolean') {
      options[name] = eq < 0 ? true : arg.slice(eq + 1) !== 'false';
      continue;
    }
    const raw = eq < 0 ? argv[++i] : arg.slice(eq + 1);
    if (raw === undefined) throw new CliError(`option --${name} needs a value`);
    if (kind === 'number') {
      const value = Number(raw);
      if (!Number.isFinite(value)) throw new CliError(`option --${name} expects a number, got '${raw}'`);
      options[name] = value;
    } else {
      options[name] = raw;
    }
  }
  return { positional, options };
}

/** Parses a comma-separated list of positive integers such as `--hidden 512,256`. */
export function parseIntList(text: string, name: string): number[] {
  const values = text.split(',').filter((s) => s.length > 0).map(Number);
  if (values.length === 0 || values.some((v) => !Number.isInteger(v) || v <= 0)) {
    throw new CliError(`option --${name} expects comma-separated positive integers, got '${text}'`);
  }
  return values;
}

/** Option `name` of `o` as an integer in [min, max]; undefined when absent; CliError otherwise. */
export function intOption(o: Record<string, unknown>, name: string, min: number, max: number): number | undefined {
  const v = o[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new CliError(`--${name} must be an integer in [${min}, ${max}], got ${v}`);
  return v;
}

/** Option `name` of `o` as a number in [min, max]; undefined when absent; CliError otherwise. */
export function realOption(o: Record<string, unknown>, name: string, min: number, max: number): number | undefined {
  const v = o[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !(v >= min && v <= max)) throw new CliError(`--${name} must be a number in [${min}, ${max}], got ${v}`);
  return v;
}

/** Option `name` of `o` as a fraction in [0, 1], given as 0.05 or 5%; undefined when absent; CliError otherwise. */
export function fractionOption(o: Record<string, unknown>, name: string): number | undefined {
  const v = o[name];
  if (v === undefined) return undefined;
  const text = String(v).trim();
  const percent = text.endsWith('%');
  const number = Number(percent ? text.slice(0, -1) : text);
  const fraction = percent ? number / 100 : number;
  if (text === '' || !Number.isFinite(number) || !(fraction >= 0 && fraction <= 1)) throw new CliError(`--${name} must be a fraction in [0, 1] (e.g. 0.05 or 5%), got '${text}'`);
  return fraction;
}
