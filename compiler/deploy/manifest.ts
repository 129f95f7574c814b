/**
 * The generated project's top-level manifest.json: Moddable's base manifest, the runtime and app
 * fragments (copied next to it from manifests/), the app settings scripts read from mc/config,
 * and the board's XS creation settings and microphone wiring from its device profile.
 *
 * The board settings sit under the sub-platform key of the board the project is generated for
 * (e.g. `esp32/m5stack_core2`). mcconfig applies the single most specific matching key (then
 * `...` as the fallback), so a build for any other device target meets the `...` entry, whose
 * `error` stops it with a message naming the board to regenerate for; desktop simulator builds
 * (`-p sim/NAME` resolves to `lin`, `mac` or `win`) match their own empty entries.
 */
import type { AppVariant } from './apps.ts';
import { listDevices, loadDevice, type DeviceProfile } from './devices.ts';

export interface AppSettings {
  app: string;
  device: string;
  earlyExit: boolean;
  scratchBudget: number;
  iterations: number;
  screenWidth: number;
  screenHeight: number;
  hopMs: number;
  margin: number;
}

export const RUNTIME_FRAGMENT = 'manifest_runtime.json';
export const APP_FRAGMENT = 'manifest_app.json';
/** The audio front-end module and its native kernels (manifests/frontend.json), in audio apps only. */
export const FRONTEND_FRAGMENT = 'manifest_frontend.json';
/** Host platforms the Moddable desktop simulator builds for (`-p sim/NAME` resolves to one of them). */
export const SIMULATOR_PLATFORMS = ['lin', 'mac', 'win'] as const;

/** The manifest `platforms` key of the profile's board, or null for a desktop simulator profile. */
export function boardPlatformKey(profile: DeviceProfile): string | null {
  const platform = profile.moddable.platform;
  return /^(sim|simulator|lin|mac|win)(\/|$)/.test(platform) ? null : platform;
}

/** The `error` mcconfig prints when the project is built for a target it was not generated for. */
export function refusal(profile: DeviceProfile, key: string | null): string {
  const target = key ? `-p ${key}` : 'the Moddable desktop simulator (-p sim/NAME)';
  const boards = listDevices().map((name) => `${name} = ${loadDevice(name).moddable.platform}`).join(', ');
  return `tempo-cim: this project was generated for ${target} (tempo-cim device '${profile.name}'); `
    + `for another board generate it again with 'tempo-cim build MODEL --device NAME' (${boards})`;
}

export function composeManifest(profile: DeviceProfile, variant: AppVariant, settings: AppSettings): Record<string, unknown> {
  const key = boardPlatformKey(profile);
  const platforms: Record<string, Record<string, unknown>> = {};
  if (key) {
    const board: Record<string, unknown> = { creation: profile.moddable.creation };
    const microphone = profile.inputs.microphone;
    if (variant.app === 'keywords' && microphone && !microphone.builtin && microphone.defines) board.defines = microphone.defines;
    platforms[key] = board;
  }
  for (const host of SIMULATOR_PLATFORMS) platforms[host] = {};
  platforms['...'] = { error: refusal(profile, key) };
  return {
    include: [
      '$(MODDABLE)/examples/manifest_base.json', `./${RUNTIME_FRAGMENT}`,
      ...(variant.input === 'audio' ? [`./${FRONTEND_FRAGMENT}`] : []), `./${APP_FRAGMENT}`,
    ],
    config: { tempoCim: settings },
    // The SDK's default tsconfig asks for lib/target es2025, which TypeScript 5.x rejects; es2024 covers what the apps use.
    typescript: { tsconfig: { compilerOptions: { lib: ['es2024'], target: 'es2024', strict: true } } },
    platforms,
  };
}
