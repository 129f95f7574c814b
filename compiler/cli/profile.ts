/** `tempo-cim profile model.tcm --device esp32[,tempo-cim]`: what a model costs on a board and/or a CIM macro. */
import { isMacroProfile, readProfileFile, type DeviceProfile } from '../deploy/devices.ts';
import { loadMacroDevice } from '../macro/device.ts';
import { deviceSection, formatDeviceSection } from '../profile/device-section.ts';
import { formatProfile } from '../profile/format.ts';
import { macroProfile } from '../profile/macro.ts';
import { formatMacroProfile, formatSideBySide } from '../profile/macro-format.ts';
import { profileModel } from '../profile/profile.ts';
import { testInputsFor } from '../profile/test-inputs.ts';
import { CliError, parseArgs } from '../util/args.ts';
import { readModelFile } from '../tcm/read.ts';

export const summary = 'flash, RAM and XS compute per inference on a board; arrays, latency, energy and area on a CIM macro';
export const usage = `
Usage: tempo-cim profile MODEL.tcm [--device esp32|tempo-cim|esp32,tempo-cim] [--limit N] [--json] [--compute-per-ms N]

Runs the runtime over test inputs (the MNIST test set for 28x28 digit models, else seeded synthetic
codes) and reports, for a board (Node and the real XS engine):
  flash    model bytes and the runtime module (dist/tempo-cim-runtime.js), against the board's data budget
  RAM      runtime scratch, typed-array bytes and XS slots measured in XS, against the board's budgets
  latency  XS compute per inference (deterministic meter): median and p99; host XS wall time;
           per layer: row adds, skipped zero inputs, inputs and steps saved by early termination
  device   RV32IMC instructions per phase (boot, encoding, inference, audio hop, keyword window)
           and the time they take at the board's clock and CPI range (an estimate), read from
           MODEL.rv32.json, which npm run device-bench writes (the profile does not emulate)
and for a compute-in-memory macro (devices/tempo-cim.json; estimates from its published figures):
  mapping  each layer on arrays (row groups x column tiles; conv layers by im2col), cells used
  time     time steps and latency per inference (also with early termination)
  energy   per inference, dense-equivalent and for the rows that actually spike (from the runtime)
  area     macros needed x macro area

Options:
  --device LIST         profiles from devices/ (or paths to profile .json files), comma-separated;
                        two or more print a side-by-side summary first (default esp32)
  --limit N             test inputs to run (default 300)
  --json                print JSON (one profile, or {file, targets: [...]} for several devices)
  --compute-per-ms N    XS compute units per millisecond measured on the board (the generated
                        'bench' app prints it); adds a device-time estimate, labelled as such
`;

export async function run(args: string[]): Promise<number> {
  const { positional, options } = parseArgs(args, { device: 'string', limit: 'number', json: 'boolean', 'compute-per-ms': 'number' });
  if (positional.length !== 1) throw new CliError('expected one model file (see --help)');
  const limit = (options.limit as number | undefined) ?? 300;
  if (!Number.isInteger(limit) || limit < 1) throw new CliError(`--limit expects a positive integer, got ${limit}`);
  const rate = options['compute-per-ms'] as number | undefined;
  if (rate !== undefined && !(rate > 0)) throw new CliError(`--compute-per-ms expects a positive number, got ${rate}`);
  const names = String(options.device ?? 'esp32').split(',').filter((s) => s.length > 0);
  if (names.length === 0) throw new CliError('--device expects one or more profile names');
  // Load every profile before any work, so a bad name fails at once.
  const targets = names.map((name) => (isMacroProfile(readProfileFile(name)) ? { macro: loadMacroDevice(name) } : { board: readProfileFile(name).json as unknown as DeviceProfile }));
  const file = positional[0];
  const { bytes, model } = readModelFile(file);
  const results = [];
  const texts: string[] = [];
  for (const target of targets) {
    if (target.macro) {
      const inputs = testInputsFor(model, limit);
      const profile = macroProfile(model, target.macro, inputs.codes.slice(0, limit), inputs.source);
      results.push(profile);
      texts.push(formatMacroProfile(profile, target.macro, file));
    } else {
      const { profile } = await profileModel(bytes, target.board!, { limit, deviceComputePerMs: rate });
      const device = deviceSection(file, bytes, target.board!);
      results.push({ ...profile, deviceInstructions: device });
      texts.push(`${formatProfile(profile, file)}\n\n${formatDeviceSection(device)}`);
    }
  }
  if (options.json) {
    console.log(JSON.stringify(results.length === 1 ? { file, ...results[0] } : { file, targets: results }, null, 2));
    return 0;
  }
  const board = results.find((r) => !('kind' in r && r.kind === 'cim-macro'));
  const macro = results.find((r) => 'kind' in r && r.kind === 'cim-macro');
  if (results.length > 1 && board && macro) texts.unshift(formatSideBySide(board as never, macro as never));
  console.log(texts.join('\n\n'));
  return 0;
}
