/**
 * The app catalog: which sources, manifest fragment and data each app puts in a generated
 * project, depending on the board's inputs (digits draws on a touch display where there is one;
 * keywords shows the words it hears on a display where there is one).
 */
import type { DeviceProfile } from './devices.ts';

export const APP_NAMES = ['digits', 'keywords', 'bench'] as const;
export type AppName = (typeof APP_NAMES)[number];

export interface AppVariant {
  app: AppName;
  /** Directory under manifests/apps holding main.ts, and the fragment manifests/app-<variant>.json. */
  variant: 'bench' | 'digits' | 'digits-touch' | 'keywords' | 'keywords-display';
  /** Files copied from manifests/apps into the project: [source, destination]. */
  sources: [string, string][];
  /** Which input the model must take. */
  input: 'image' | 'audio' | 'any';
  /** Whether the project stores test vectors (vectors.bin). */
  vectors: boolean;
  /** Whether the project stores a WAV for the simulators' microphone (keyword.wav). */
  wav: boolean;
  /** Bytes of app buffers besides the network scratch (for the RAM budget), given the model's input length. */
  bufferBytes(inputCodes: number, rawInputBytes: number): number;
}

const lib = (name: string): [string, string] => [`lib/${name}.ts`, `app/${name}.ts`];

export function isAppName(name: string): name is AppName {
  return (APP_NAMES as readonly string[]).includes(name);
}

export function appVariant(app: AppName, profile: DeviceProfile): AppVariant {
  switch (app) {
    case 'bench':
      return {
        app, variant: 'bench', input: 'any', vectors: true, wav: false,
        sources: [['bench/main.ts', 'main.ts'], lib('classify'), lib('memory'), lib('vectors')],
        bufferBytes: (codes) => codes,
      };
    case 'digits':
      if (profile.inputs.display?.touch) {
        return {
          app, variant: 'digits-touch', input: 'image', vectors: false, wav: false,
          sources: [['digits-touch/main.ts', 'main.ts'], lib('canvas'), lib('classify'), lib('ink'), lib('vectors')],
          // codes + the drawing and its centered copy (+ a stale flag per row, counted as a pixel each)
          bufferBytes: (codes, raw) => codes + 2 * raw + Math.ceil(Math.sqrt(raw)),
        };
      }
      return {
        app, variant: 'digits', input: 'image', vectors: true, wav: false,
        sources: [['digits/main.ts', 'main.ts'], lib('classify'), lib('vectors')],
        bufferBytes: (codes) => codes,
      };
    case 'keywords': {
      const display = profile.inputs.display !== null;
      const listener = [lib('classify'), lib('detector'), lib('listener'), lib('vectors'), ['sim/audioin.ts', 'sim/audioin.ts']] as [string, string][];
      return {
        app, variant: display ? 'keywords-display' : 'keywords', input: 'audio', vectors: false, wav: true,
        sources: [[display ? 'keywords-display/main.ts' : 'keywords/main.ts', 'main.ts'], ...listener],
        // codes + one 512-sample int16 chunk
        bufferBytes: (codes) => codes + 1024,
      };
    }
  }
}
