/** The exact Moddable SDK commands that build and run a generated project. */
import type { DeviceProfile } from './devices.ts';

export interface BuildCommands {
  /** False for host-only profiles (sim): then `device` builds the simulator too. */
  onDevice: boolean;
  /** Builds, flashes and connects xsbug (debug build) on the board. */
  device: string;
  /** Release build for the board (no debugger; trace goes to the serial console). */
  deviceRelease: string;
  /** Builds and launches the Moddable desktop simulator. */
  simulator: string;
}

const quote = (path: string): string => (/^[\w./+-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`);

export function buildCommands(profile: DeviceProfile, projectDir: string): BuildCommands {
  const cd = `cd ${quote(projectDir)} && `;
  const platform = profile.moddable.platform;
  return {
    onDevice: !/^(sim|lin|mac|win)\b/.test(platform),
    device: `${cd}mcconfig -d -m -p ${platform}`,
    deviceRelease: `${cd}mcconfig -m -p ${platform}`,
    simulator: `${cd}mcconfig -d -m -p ${profile.moddable.simulator}`,
  };
}
