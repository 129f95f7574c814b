/**
 * eSpeak NG from npm (`@echogarden/espeak-ng-emscripten`, an Emscripten build with its voice data),
 * so no system espeak-ng is needed. One `EspeakVoice` is a fresh engine instance: eSpeak NG keeps
 * state between utterances (its output for a word depends on what it said before), so every voice
 * starts from a new instance and speaks its takes in a fixed order, which makes the output a
 * function of the voice and its takes alone.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { SynthError } from './synth-error.ts';

export const ESPEAK_RATE = 22050;
const PACKAGE = '@echogarden/espeak-ng-emscripten';

export interface EspeakTake {
  word: string;
  speed: number; // words per minute (default 175)
  pitch: number; // 0..99 (default 50)
  amplitude: number; // 0..200 (default 100)
}

interface EspeakModule {
  eSpeakNGWorker: new () => EspeakWorker;
  FS: {
    readdir(path: string): string[];
    readFile(path: string, options: { encoding: 'utf8' }): string;
    writeFile(path: string, data: string): void;
  };
}

const VARIANT_DIR = '/usr/share/espeak-ng-data/voices/!v';
/** The name a perturbed variant is written under in an instance's own file system. */
const DRAWN_VARIANT = 'tempocim';

/**
 * A shipped variant with its voice-file parameters moved: each factor multiplies the variant's own
 * value, or eSpeak NG's default where the file sets none (VOICE_DEFAULTS).
 */
export interface EspeakVariantParams {
  /** Per formant 0-8: frequency factor (each formant moved on its own, as by another vocal tract). */
  formantFreq: number[];
  /** Per formant 0-8: height (amplitude) factor. */
  formantHeight: number[];
  /** Per formant 0-8: bandwidth factor. */
  formantWidth: number[];
  /** Multiplies the variant's base pitch and pitch range (Hz). */
  pitchScale: number;
  /** Multiplies the variant's flutter (pitch jitter). */
  flutterScale: number;
  /** Added to the variant's roughness (creak; 0-7). */
  roughnessAdd: number;
  /** Multiplies the voiced-sound amplitude (%). */
  voicingScale: number;
  /** Multiplies the consonant amplitudes (%). */
  consonantScale: number;
}

/** eSpeak NG's defaults (voices.c VoiceReset) in voice-file units. */
const VOICE_DEFAULTS = {
  formantHeight: [102, 100, 94, 91, 78, 78, 100, 100, 100],
  formantWidth: [109, 100, 100, 125, 134, 134, 100, 100, 100],
  pitch: [82, 118],
  flutter: 2,
  roughness: 2,
  voicing: 100,
  consonants: [90, 100],
};

/** The variant file `text` with `p` applied (lines it does not set are kept as they are). */
export function perturbVariant(text: string, p: EspeakVariantParams): string {
  const formants = new Map<number, number[]>();
  let { pitch, flutter, roughness, voicing, consonants } = VOICE_DEFAULTS;
  const kept: string[] = [];
  for (const line of text.split('\n')) {
    const [key, ...rest] = line.trim().split(/\s+/);
    const values = rest.map(Number);
    if (key === 'formant' && values.length >= 4) formants.set(values[0], values.slice(1));
    else if (key === 'pitch' && values.length >= 2) pitch = values.slice(0, 2);
    else if (key === 'flutter' && values.length >= 1) flutter = values[0];
    else if (key === 'roughness' && values.length >= 1) roughness = values[0];
    else if (key === 'voicing' && values.length >= 1) voicing = values[0];
    else if (key === 'consonants' && values.length >= 1) consonants = [values[0], values[1] ?? values[0]];
    else kept.push(line);
  }
  const r = Math.round;
  const scale = (value: number, factor: number) => (value < 0 ? value : r(value * factor)); // < 0: 'keep'
  const lines = [...kept];
  for (let f = 0; f < 9; f++) {
    const [freq, height, width, ...add] = formants.get(f) ?? [100, VOICE_DEFAULTS.formantHeight[f], VOICE_DEFAULTS.formantWidth[f]];
    lines.push(['formant', f, scale(freq, p.formantFreq[f]), scale(height, p.formantHeight[f]), scale(width, p.formantWidth[f]), ...add].join(' '));
  }
  lines.push(`pitch ${r(pitch[0] * p.pitchScale)} ${r(pitch[1] * p.pitchScale)}`);
  lines.push(`flutter ${r(flutter * p.flutterScale)}`);
  lines.push(`roughness ${Math.max(0, Math.min(7, r(roughness + p.roughnessAdd)))}`);
  lines.push(`voicing ${r(voicing * p.voicingScale)}`);
  lines.push(`consonants ${r(consonants[0] * p.consonantScale)} ${r(consonants[1] * p.consonantScale)}`);
  return lines.join('\n') + '\n';
}
interface EspeakWorker {
  set_voice(name: string): number;
  synthesize(text: string, onAudio: (samples: Int16Array | null) => void): void;
}

/** Runs `fn` (synchronous engine calls) with Date.now held at 0: eSpeak NG seeds its noise from the clock. */
function fixedClock<T>(fn: () => T): T {
  const now = Date.now;
  Date.now = () => 0;
  try {
    return fn();
  } finally {
    Date.now = now;
  }
}

let dataPackage: ArrayBuffer | undefined;
let factory: ((options: object) => Promise<EspeakModule>) | undefined;

async function instance(): Promise<EspeakModule> {
  if (!factory) {
    const require = createRequire(import.meta.url);
    let path: string;
    try {
      path = require.resolve(`${PACKAGE}/espeak-ng.data`);
    } catch {
      throw new SynthError(`${PACKAGE} is not installed (run npm install)`);
    }
    const bytes = readFileSync(path);
    dataPackage = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer;
    factory = (await import(PACKAGE)).default as (options: object) => Promise<EspeakModule>;
  }
  // The 24 MB voice data is read once per process and handed to every instance.
  return factory({ getPreloadedPackage: () => dataPackage, print: () => {}, printErr: () => {} });
}

/** Voice variant names the package ships (espeak-ng-data/voices/!v). */
export async function espeakVariants(): Promise<Set<string>> {
  const m = await instance();
  return new Set(m.FS.readdir(VARIANT_DIR).filter((f) => !f.startsWith('.')));
}

export class EspeakVoice {
  private constructor(private readonly worker: EspeakWorker) {}

  /**
   * A fresh engine speaking as `voice` (e.g. 'en-us+m3'); with `variant`, the voice's variant file
   * perturbed by it (written into this instance's own file system only).
   */
  static async create(voice: string, variant?: EspeakVariantParams): Promise<EspeakVoice> {
    const m = await instance();
    let name = voice;
    if (variant) {
      const [accent, base] = voice.split('+');
      let text: string;
      try {
        text = m.FS.readFile(`${VARIANT_DIR}/${base}`, { encoding: 'utf8' });
      } catch {
        throw new SynthError(`espeak-ng has no voice variant '${base}'`);
      }
      m.FS.writeFile(`${VARIANT_DIR}/${DRAWN_VARIANT}`, perturbVariant(text, variant));
      name = `${accent}+${DRAWN_VARIANT}`;
    }
    const worker = fixedClock(() => new m.eSpeakNGWorker());
    if (fixedClock(() => worker.set_voice(name)) !== 0) throw new SynthError(`espeak-ng has no voice '${voice}'`);
    return new EspeakVoice(worker);
  }

  /** Speaks `text` (SSML and embedded commands allowed) at 22,050 Hz. */
  speak(text: string): Float32Array {
    const chunks: Int16Array[] = [];
    fixedClock(() =>
      this.worker.synthesize(text, (samples) => {
        if (samples && samples.length) chunks.push(samples);
      }),
    );
    const out = new Float32Array(chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const chunk of chunks) for (let i = 0; i < chunk.length; i++) out[at++] = chunk[i] / 32768;
    return out;
  }

  /**
   * All `takes` in one utterance: '<ctrl-A>speed S <ctrl-A>pitch P <ctrl-A>amplitude A word.' and an
   * SSML break between takes, to be split at the breaks' silence (much faster than one call a take).
   */
  speakBatch(takes: readonly EspeakTake[], breakMs: number): Float32Array {
    const text = takes.map((t) => `\x01${t.speed}S\x01${t.pitch}P\x01${t.amplitude}A ${t.word}. <break time="${breakMs}ms"/>`);
    return this.speak(`<speak>${text.join('\n')}</speak>`);
  }

  /** One take on its own (the fallback when a batch does not split into one segment per take). */
  speakTake(take: EspeakTake): Float32Array {
    return this.speak(`\x01${take.speed}S\x01${take.pitch}P\x01${take.amplitude}A ${take.word}`);
  }
}
