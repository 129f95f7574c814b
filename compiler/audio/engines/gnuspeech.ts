/**
 * GnuSpeech, the articulatory (tube-model) synthesizer, from npm (`@echogarden/gnuspeech-wasm`).
 * Driven through its module directly rather than its `synthesize` helper, to set what the helper
 * does not: a voice file of our own (vocal tract length, glottal pulse shape, pitch, breathiness,
 * tract radii), the intonation parameters, and a dictionary cut down to the words spoken (parsing
 * the 2.2 MB main dictionary costs ~1 s per utterance; the cut one ~30 ms). Its random intonation
 * and pitch drift draw from the system's entropy, so both are off: every variation comes from our
 * seeded draws and the output is a function of the voice and take alone.
 */
import { SynthError } from './synth-error.ts';
import { decodeWav } from '../wav.ts';

const PACKAGE = '@echogarden/gnuspeech-wasm';
const DATA = '/data/en';
const DICTIONARY = 'tempo-cim-dictionary.txt';
const VOICE = 'tempocim';

/** The package's voice presets (voice_<name>.txt). */
export const GNUSPEECH_BASES = ['male', 'female', 'large_child', 'baby'] as const;
export type GnuspeechBase = (typeof GNUSPEECH_BASES)[number];

/** One speaker: a preset with its voice-file parameters moved. */
export interface GnuspeechVoiceParams {
  base: GnuspeechBase;
  /** Multiplies the preset's vocal tract length (cm). */
  tractScale: number;
  /** Added to the preset's reference glottal pitch (semitones). */
  pitchShift: number;
  /** Glottal pulse rise time, % of the period (preset 40). */
  pulseRise: number;
  /** Multiplies the preset's glottal pulse fall time. */
  pulseFallScale: number;
  /** Breathiness, % (presets 0.5-1.5). */
  breathiness: number;
  /** Multiplies every tract section radius (global_radius_coef). */
  radiusScale: number;
}

/** One take's delivery. */
export interface GnuspeechProsody {
  tempo: number; // 1 = normal
  pitchOffset: number; // semitones (the package default is -4)
  notionalPitch: number; // semitones (default 2)
  tonicRange: number; // semitones (default -8)
}

interface GnuspeechModule {
  FS: { readFile(path: string, options?: { encoding: 'utf8' }): Uint8Array & string; writeFile(path: string, data: string): void };
  HEAPU8: Uint8Array;
  _malloc(n: number): number;
  _free(p: number): void;
  _GnuSpeech_synthesizeToFile(text: number, out: number, configDir: number, paramsOut: number, debug: boolean): void;
}

export class GnuspeechVoice {
  private constructor(
    private readonly m: GnuspeechModule,
    private readonly controlModel: string,
  ) {}

  /** A fresh engine for `voice` that can say `words` (each must be in GnuSpeech's dictionary). */
  static async create(voice: GnuspeechVoiceParams, words: readonly string[]): Promise<GnuspeechVoice> {
    let init: () => Promise<GnuspeechModule>;
    try {
      init = (await import(`${PACKAGE}/wasm/gnuspeech.js`)).default;
    } catch {
      throw new SynthError(`${PACKAGE} is not installed (run npm install)`);
    }
    const m = await init();
    m.FS.writeFile(`${DATA}/${DICTIONARY}`, dictionaryFor(m, words));
    m.FS.writeFile(`${DATA}/voice_${VOICE}.txt`, voiceFile(m.FS.readFile(`${DATA}/voice_${voice.base}.txt`, { encoding: 'utf8' }), voice));
    const controlModel = setKeys(m.FS.readFile(`${DATA}/trm_control_model.txt`, { encoding: 'utf8' }), {
      voice_name: VOICE,
      random_intonation: '0',
      intonation_drift: '0',
      dictionary_3_file: DICTIONARY,
    });
    return new GnuspeechVoice(m, controlModel);
  }

  /** Speaks one word with the given delivery; returns the samples and their rate (44,100 Hz). */
  speak(word: string, prosody: GnuspeechProsody): { samples: Float32Array; sampleRate: number } {
    const { m } = this;
    m.FS.writeFile(
      `${DATA}/trm_control_model.txt`,
      setKeys(this.controlModel, {
        tempo: prosody.tempo.toFixed(3),
        pitch_offset: prosody.pitchOffset.toFixed(2),
        notional_pitch: prosody.notionalPitch.toFixed(2),
        tonic_range: prosody.tonicRange.toFixed(2),
      }),
    );
    const strings = [`${word}.`, '/tmp/out.wav', DATA, '/tmp/out-params.txt'].map((s) => this.cString(s));
    try {
      m._GnuSpeech_synthesizeToFile(strings[0], strings[1], strings[2], strings[3], false);
    } finally {
      strings.forEach((p) => m._free(p));
    }
    const wav = decodeWav(m.FS.readFile('/tmp/out.wav'), `GnuSpeech '${word}'`);
    return { samples: wav.samples, sampleRate: wav.sampleRate };
  }

  private cString(text: string): number {
    const bytes = new TextEncoder().encode(`${text}\0`);
    const at = this.m._malloc(bytes.length);
    this.m.HEAPU8.set(bytes, at);
    return at;
  }
}

let mainDictionary: { header: string; entries: Map<string, string> } | undefined;

/** GnuSpeech's main dictionary cut down to `words` (the main one is parsed once per process). */
function dictionaryFor(m: GnuspeechModule, words: readonly string[]): string {
  if (!mainDictionary) {
    const lines = m.FS.readFile(`${DATA}/MainDictionary.txt`, { encoding: 'utf8' }).split('\n');
    const entries = new Map<string, string>();
    for (const line of lines.slice(1)) entries.set(line.slice(0, line.indexOf(' ')), line);
    mainDictionary = { header: lines[0], entries };
  }
  const wanted = [...new Set(words.map((w) => w.toLowerCase()))].sort();
  const missing = wanted.filter((w) => !mainDictionary!.entries.has(w));
  if (missing.length) throw new SynthError(`GnuSpeech's dictionary lacks: ${missing.join(', ')}`);
  return [mainDictionary.header, ...wanted.map((w) => mainDictionary!.entries.get(w)!)].join('\n') + '\n';
}

function voiceFile(preset: string, v: GnuspeechVoiceParams): string {
  const value = (key: string) => {
    const match = new RegExp(`^${key}\\s*=\\s*(\\S+)`, 'm').exec(preset);
    if (!match) throw new Error(`GnuSpeech voice preset has no ${key}`);
    return Number(match[1]);
  };
  const fall = value('glottal_pulse_tn_max') * v.pulseFallScale;
  return setKeys(preset, {
    vocal_tract_length: (value('vocal_tract_length') * v.tractScale).toFixed(3),
    reference_glottal_pitch: (value('reference_glottal_pitch') + v.pitchShift).toFixed(2),
    glottal_pulse_tp: v.pulseRise.toFixed(2),
    glottal_pulse_tn_min: fall.toFixed(2),
    glottal_pulse_tn_max: fall.toFixed(2),
    breathiness: v.breathiness.toFixed(2),
    global_radius_coef: v.radiusScale.toFixed(3),
  });
}

/** Replaces `key = value` lines of a GnuSpeech config file (each key must be there). */
function setKeys(config: string, values: Record<string, string>): string {
  let out = config;
  for (const [key, value] of Object.entries(values)) {
    const line = new RegExp(`^${key}\\s*=.*$`, 'm');
    if (!line.test(out)) throw new Error(`GnuSpeech config has no ${key}`);
    out = out.replace(line, `${key} = ${value}`);
  }
  return out;
}
