/**
 * The generated project's top-level manifest.json: Moddable's base manifest, the runtime and app
 * fragments (copied next to it from manifests/), the app settings scripts read from mc/config,
 * and the board's XS creation settings and microphone wiring from its device profile.
 */
import type { AppVariant } from './apps.ts';
import type { DeviceProfile } from './devices.ts';

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

export function composeManifest(profile: DeviceProfile, variant: AppVariant, settings: AppSettings): Record<string, unknown> {
  const esp32: Record<string, unknown> = { creation: profile.moddable.creation };
  const microphone = profile.inputs.microphone;
  if (variant.app === 'keywords' && microphone && !microphone.builtin && microphone.defines) esp32.defines = microphone.defines;
  return {
    include: ['$(MODDABLE)/examples/manifest_base.json', `./${RUNTIME_FRAGMENT}`, `./${APP_FRAGMENT}`],
    config: { tempoCim: settings },
    // The SDK's default tsconfig asks for lib/target es2025, which TypeScript 5.x rejects; es2024 covers what the apps use.
    typescript: { tsconfig: { compilerOptions: { lib: ['es2024'], target: 'es2024', strict: true } } },
    platforms: { esp32 },
  };
}
