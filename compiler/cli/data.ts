/** `tempo-cim data keywords`: writes the synthetic keyword set (Speech Commands layout) with eSpeak NG and GnuSpeech. */
import { CliError, parseArgs } from '../util/args.ts';
import { ESPEAK_VARIANT_MODES, generateKeywordSet, type EspeakVariantMode } from '../audio/synth-keywords.ts';
import { ENGINES, type EngineName } from '../audio/synth-voices.ts';

export const summary = 'Generate datasets (synthetic spoken keywords in the Speech Commands layout)';

export const usage = `
Usage: tempo-cim data keywords --out DIR [options]
       tempo-cim data stream --data DIR --out STREAM.wav [--minutes 10] [--split test] [--speakers PREFIX]

Writes a synthetic keyword set in the Google Speech Commands layout (one folder per word of
16 kHz WAV files, validation_list.txt, testing_list.txt, _background_noise_/) spoken by the
voices of two speech engines that npm installs (eSpeak NG and the GnuSpeech articulatory
synthesizer, WASM builds), split by voice so that validation and test voices are never heard in
training. Speaker ids start with the engine: es-... (eSpeak NG), gs-... (GnuSpeech).
Train on it with: tempo-cim train --dataset keywords --data DIR

Options:
  --out DIR              output folder (must be empty or absent unless --force)
  --engines LIST         comma-separated: espeak, gnuspeech (default both)
  --voices N             voices per engine (default 80: 64 train, 8 validation, 8 test)
  --espeak-variants M    eSpeak NG training voices: shipped (the package's variants as they
                         are, default) or drawn (each voice moves its variant's formants,
                         pitch, flutter, roughness, voicing by draws of its own); held-out
                         voices always speak the shipped variants
  --seed S               random seed (default 1); the same seed gives the same files
  --clips-per-word N     takes of each keyword per voice (default 25)
  --unknown-per-voice N  takes of each unknown word per voice (default 1)
  --unknown-words LIST   comma-separated words for the _unknown_ class (default: 31 words,
                         the real set's auxiliary words and a few more)
  --jobs N               voices synthesized at a time, one worker thread each (default: cores)
  --force                replace a non-empty output folder

\`data stream\` writes one long 16 kHz recording of a folder's held-out keyword clips separated by
unknown words, silence and noise bursts, with its ground truth in STREAM.json; score a model on it
with: tempo-cim eval MODEL.tcm --stream STREAM.wav

Per engine, the defaults give 20,000 keyword clips and 2,480 unknown-word clips; the loader
adds silence and samples unknowns to the standard 12-class protocol.
`;

export async function run(args: string[]): Promise<number> {
  const [what, ...rest] = args;
  if (what === 'stream') return stream(rest);
  if (what !== 'keywords') throw new CliError(what ? `unknown dataset '${what}' (available: keywords, stream)` : 'missing dataset: tempo-cim data keywords --out DIR');
  const { positional, options } = parseArgs(rest, {
    out: 'string', engines: 'string', 'unknown-words': 'string', voices: 'number', 'espeak-variants': 'string', seed: 'number', 'clips-per-word': 'number', 'unknown-per-voice': 'number', jobs: 'number', force: 'boolean',
  });
  if (positional.length) throw new CliError(`unexpected argument '${positional[0]}'`);
  if (typeof options.out !== 'string') throw new CliError('--out DIR is required');
  const integer = (name: string, min: number): number | undefined => {
    const value = options[name];
    if (value === undefined) return undefined;
    if (!Number.isInteger(value) || (value as number) < min) throw new CliError(`--${name} expects an integer >= ${min}, got ${value}`);
    return value as number;
  };
  let engines: EngineName[] | undefined;
  if (options.engines !== undefined) {
    engines = String(options.engines).split(',').map((e) => e.trim()) as EngineName[];
    const unknown = engines.filter((e) => !ENGINES.includes(e));
    if (unknown.length || engines.length === 0) throw new CliError(`--engines takes ${ENGINES.join(', ')} (comma-separated), got '${options.engines}'`);
  }
  const espeakVariants = options['espeak-variants'] as EspeakVariantMode | undefined;
  if (espeakVariants !== undefined && !ESPEAK_VARIANT_MODES.includes(espeakVariants)) {
    throw new CliError(`--espeak-variants takes ${ESPEAK_VARIANT_MODES.join(' or ')}, got '${espeakVariants}'`);
  }
  const progress = progressBar('keywords');
  const result = await generateKeywordSet({
    out: options.out,
    engines,
    voices: integer('voices', 3),
    espeakVariants,
    seed: integer('seed', 0),
    clipsPerWord: integer('clips-per-word', 1),
    unknownClipsPerVoice: integer('unknown-per-voice', 0),
    unknownWords: options['unknown-words'] === undefined ? undefined : String(options['unknown-words']).split(',').map((w) => w.trim()),
    jobs: integer('jobs', 1),
    force: options.force === true,
    onProgress: progress,
  });
  const bySplit = (split: string) => result.voices.filter((v) => v.split === split).length;
  console.log(
    `wrote ${result.keywordClips + result.unknownClips} clips (${result.keywordClips} keyword, ${result.unknownClips} unknown-word) ` +
      `from ${result.voices.length} voices (${bySplit('train')} train, ${bySplit('validation')} validation, ${bySplit('test')} test) ` +
      `and ${result.backgroundFiles.length} background noise files to ${result.out} in ${result.seconds.toFixed(0)} s`,
  );
  if (result.unbatchedVoices.length) console.log(`(spoken take by take: ${result.unbatchedVoices.join(', ')})`);
  return 0;
}

/** `tempo-cim data stream`: a long held-out-voice test recording with its ground truth. */
async function stream(args: string[]): Promise<number> {
  const { positional, options } = parseArgs(args, { data: 'string', out: 'string', minutes: 'number', seed: 'number', split: 'string', speakers: 'string' });
  if (positional.length) throw new CliError(`unexpected argument '${positional[0]}'`);
  if (typeof options.data !== 'string' || typeof options.out !== 'string') throw new CliError('usage: tempo-cim data stream --data DIR --out STREAM.wav [--minutes 10] [--split test|validation] [--speakers PREFIX] [--seed S]');
  const minutes = (options.minutes as number | undefined) ?? 10;
  if (!(minutes > 0 && minutes <= 600)) throw new CliError(`--minutes must be in (0, 600], got ${minutes}`);
  const split = (options.split as string | undefined) ?? 'test';
  if (split !== 'test' && split !== 'validation') throw new CliError(`--split must be test or validation, got '${split}'`);
  const { buildStream } = await import('../audio/synth-stream.ts');
  const { encodeWav } = await import('../audio/wav.ts');
  const { writeFileAtomic } = await import('../io/atomic.ts');
  const built = buildStream(options.data, { seconds: minutes * 60, seed: options.seed as number | undefined, split, speakerPrefix: options.speakers as string | undefined });
  writeFileAtomic(options.out, encodeWav(built.samples));
  const truth = options.out.replace(/\.wav$/i, '') + '.json';
  writeFileAtomic(truth, JSON.stringify({ sampleRate: 16000, samples: built.samples.length, split, events: built.events }, null, 1) + '\n');
  const keywords = built.events.filter((e) => e.kind === 'keyword').length;
  console.log(`wrote ${options.out} (${(built.samples.length / 16000 / 60).toFixed(1)} min, ${keywords} keywords, ${built.events.length - keywords} other events) and ${truth}`);
  return 0;
}

/** A progress bar on stderr (redrawn in place on a terminal, a line per 10 % otherwise). */
function progressBar(label: string): (done: number, total: number) => void {
  const started = Date.now();
  let lastTenth = -1;
  return (done, total) => {
    const fraction = done / total;
    const elapsed = (Date.now() - started) / 1000;
    const eta = done > 0 ? (elapsed * (total - done)) / done : 0;
    const text = `${label} ${done}/${total} ${(fraction * 100).toFixed(0)}% ${elapsed.toFixed(0)}s elapsed, ~${eta.toFixed(0)}s left`;
    if (process.stderr.isTTY) {
      const width = 30;
      const filled = Math.round(fraction * width);
      process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${text}`);
      if (done === total) process.stderr.write('\n');
    } else if (Math.floor(fraction * 10) > lastTenth) {
      lastTenth = Math.floor(fraction * 10);
      process.stderr.write(`${text}\n`);
    }
  };
}
