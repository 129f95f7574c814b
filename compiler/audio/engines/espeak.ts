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
  FS: { readdir(path: string): string[] };
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
  return new Set(m.FS.readdir('/usr/share/espeak-ng-data/voices/!v').filter((f) => !f.startsWith('.')));
}

export class EspeakVoice {
  private constructor(private readonly worker: EspeakWorker) {}

  /** A fresh engine speaking as `voice` (e.g. 'en-us+m3'). */
  static async create(voice: string): Promise<EspeakVoice> {
    const m = await instance();
    const worker = fixedClock(() => new m.eSpeakNGWorker());
    if (fixedClock(() => worker.set_voice(voice)) !== 0) throw new SynthError(`espeak-ng has no voice '${voice}'`);
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
