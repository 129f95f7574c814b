/**
 * Who speaks the synthetic keyword set: voices of the two npm speech engines, each assigned to one
 * split, so validation and test voices are never heard in training.
 *
 * - eSpeak NG: English accents x voice variants ('en-us+m3', 'en-gb-x-rp+f2', ...). The variants
 *   are partitioned 70/15/15 between train/validation/test first, so a held-out voice shares
 *   neither its variant nor its accent+variant pair with a training voice.
 * - GnuSpeech: its presets (male, female, large_child, baby; every split cycles through all four)
 *   with the voice file's parameters drawn per voice: vocal tract length, reference pitch, glottal
 *   pulse shape, breathiness and tract radii. A held-out voice is its own draw; the presets are
 *   shared (there are only four).
 * Speaker ids carry the engine ('es-en-us-m3', 'gs-female-7') so a protocol can pick an engine's
 * clips by file name.
 */
import { deriveSeed, randomStream, shuffle, uniform } from '../util/prng.ts';
import type { EspeakVariantParams } from './engines/espeak.ts';
import { GNUSPEECH_BASES, type GnuspeechVoiceParams } from './engines/gnuspeech.ts';
import type { SplitName } from './speech-commands.ts';

export const ENGINES = ['espeak', 'gnuspeech'] as const;
export type EngineName = (typeof ENGINES)[number];
/** Speaker-id prefix of each engine's voices. */
export const ENGINE_TAGS: Record<EngineName, string> = { espeak: 'es-', gnuspeech: 'gs-' };

/** eSpeak NG English accents (language voices shipped in the npm package's data). */
export const ACCENTS = ['en', 'en-us', 'en-gb-scotland', 'en-gb-x-rp', 'en-gb-x-gbclan', 'en-gb-x-gbcwmd', 'en-029', 'en-us-nyc'];

/**
 * eSpeak NG voice variants (espeak-ng-data/voices/!v), leaving out the robotic, whispered and
 * heavy-echo ones (robosoft*, *Robot, Demonic, whisper*, RicishayMax*).
 */
export const VARIANTS = [
  'm1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8', 'f1', 'f2', 'f3', 'f4', 'f5',
  'klatt', 'klatt2', 'klatt3', 'klatt4', 'klatt6', 'croak',
  'Alex', 'Alicia', 'Andrea', 'Andy', 'Annie', 'AnxiousAndy', 'Denis', 'Diogo', 'Gene', 'Gene2',
  'Henrique', 'Hugo', 'Jacky', 'Lee', 'Marco', 'Mario', 'Michael', 'Mike', 'Nguyen',
  'Storm', 'Tweaky', 'adam', 'anika', 'announcer',
  'antonio', 'aunty', 'belinda', 'benjamin', 'boris', 'caleb', 'david', 'ed', 'edward', 'edward2',
  'grandma', 'grandpa', 'gustave', 'iven', 'iven2', 'iven3', 'iven4', 'john', 'kaukovalta', 'linda',
  'marcelo', 'max', 'michel', 'miguel', 'norbert', 'pablo', 'paul', 'pedro', 'quincy', 'rob',
  'robert', 'sandro', 'shelby', 'steph', 'steph2', 'steph3', 'travis', 'victor', 'zac',
];

export const MAX_ESPEAK_VOICES = Math.floor(ACCENTS.length * VARIANTS.length * 0.7);

export interface Voice {
  engine: EngineName;
  /** eSpeak NG voice argument ('en-us+m3'), or the GnuSpeech preset. */
  name: string;
  /** Speaker id used in file names, e.g. 'es-en-us-m3', 'gs-female-7'. */
  id: string;
  split: SplitName;
  /** GnuSpeech voices: the drawn voice-file parameters. */
  gnuspeech?: GnuspeechVoiceParams;
  /** eSpeak NG training voices: how their variant's voice file is moved (held-out voices: none). */
  espeak?: EspeakVariantParams;
}

/**
 * Voice-file parameters for one eSpeak NG training voice: one vocal-tract factor for all formants
 * with a little jitter per formant, formant heights and widths, pitch, flutter, roughness,
 * voicing and consonant levels, each around the variant's own value.
 */
export function drawEspeakVariant(random: () => number): EspeakVariantParams {
  const tract = uniform(random, 0.88, 1.12);
  const perFormant = (lo: number, hi: number) => Array.from({ length: 9 }, () => uniform(random, lo, hi));
  return {
    formantFreq: perFormant(0.95, 1.05).map((jitter) => tract * jitter),
    formantHeight: perFormant(0.7, 1.3),
    formantWidth: perFormant(0.7, 1.4),
    pitchScale: uniform(random, 0.8, 1.25),
    flutterScale: uniform(random, 0.5, 2.5),
    roughnessAdd: uniform(random, -1, 2),
    voicingScale: uniform(random, 0.5, 1.3),
    consonantScale: uniform(random, 0.7, 1.4),
  };
}

/** Held-out voices per split for `count` voices of one engine (10 % each, at least 1). */
function splitCounts(count: number): Record<SplitName, number> {
  const heldOut = Math.max(1, Math.round(count * 0.1));
  return { train: count - 2 * heldOut, validation: heldOut, test: heldOut };
}

/**
 * `count` eSpeak NG voices; each split's voices come from its own variants. With `drawVariants`,
 * every training voice speaks its variant with voice-file parameters of its own
 * (drawEspeakVariant), so the training voices are as many timbres as voices; the held-out voices
 * keep the shipped variants (and the same names and accents either way).
 */
export function chooseEspeakVoices(count: number, seed: number, drawVariants = false): Voice[] {
  const random = randomStream(deriveSeed(seed, 'voices'));
  const variants = shuffle([...VARIANTS], random);
  const heldOutVariants = Math.round(variants.length * 0.15);
  const pools: Record<SplitName, string[]> = {
    test: variants.slice(0, heldOutVariants),
    validation: variants.slice(heldOutVariants, 2 * heldOutVariants),
    train: variants.slice(2 * heldOutVariants),
  };
  const counts = splitCounts(count);
  const voices: Voice[] = [];
  for (const split of ['train', 'validation', 'test'] as const) {
    const pool = pools[split];
    const accentOrder = pool.map(() => shuffle([...ACCENTS], random));
    for (let j = 0; j < counts[split]; j++) {
      const v = j % pool.length;
      const accent = accentOrder[v][Math.floor(j / pool.length) % ACCENTS.length];
      const drawn = drawVariants && split === 'train';
      const id = `es-${accent}-${pool[v]}${drawn ? `-d${j}` : ''}`.toLowerCase();
      const voice: Voice = { engine: 'espeak', name: `${accent}+${pool[v]}`, id, split };
      if (drawn) voice.espeak = drawEspeakVariant(randomStream(deriveSeed(seed, `espeak/${id}`)));
      voices.push(voice);
    }
  }
  return voices;
}

/** `count` GnuSpeech voices: presets in turn, voice-file parameters drawn per voice. */
export function chooseGnuspeechVoices(count: number, seed: number): Voice[] {
  const counts = splitCounts(count);
  const voices: Voice[] = [];
  let n = 0;
  for (const split of ['train', 'validation', 'test'] as const) {
    for (let j = 0; j < counts[split]; j++, n++) {
      const base = GNUSPEECH_BASES[j % GNUSPEECH_BASES.length];
      const id = `gs-${base.replace('_', '')}-${n}`;
      const random = randomStream(deriveSeed(seed, `gnuspeech/${id}`));
      const gnuspeech: GnuspeechVoiceParams = {
        base,
        tractScale: uniform(random, 0.9, 1.1),
        pitchShift: uniform(random, -3, 3),
        pulseRise: uniform(random, 30, 50),
        pulseFallScale: uniform(random, 0.75, 1.25),
        breathiness: uniform(random, 0.3, 3),
        radiusScale: uniform(random, 0.92, 1.08),
      };
      voices.push({ engine: 'gnuspeech', name: base, id, split, gnuspeech });
    }
  }
  return voices;
}

/** The voices of every engine asked for, `perEngine` each. */
export function chooseVoices(engines: readonly EngineName[], perEngine: number, seed: number, drawEspeakVariants = false): Voice[] {
  return engines.flatMap((engine) => (engine === 'espeak' ? chooseEspeakVoices(perEngine, seed, drawEspeakVariants) : chooseGnuspeechVoices(perEngine, seed)));
}
