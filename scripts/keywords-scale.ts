/**
 * `node --import tsx scripts/keywords-scale.ts SRC OUT N [--link]`: a Speech Commands-scale folder
 * for memory and speed measurements. Writes N clips to OUT, each a copy of a clip of SRC (a keyword
 * folder, e.g. from `tempo-cim data keywords`) with its own random circular time shift and gain, so
 * every file differs (--link: hard links to SRC's files instead, instant and without disk space;
 * the loader still reads and codes every file); copy r of speaker S is speaker 'Sr<r>', and OUT has no split lists, so the
 * loader splits by the dataset's own speaker hash (~10 % validation, ~10 % test). The noise folder is
 * copied. Deterministic. Not for accuracy figures: the copies repeat SRC's voices.
 */
import { cpSync, existsSync, linkSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BACKGROUND_DIR } from '../compiler/audio/speech-commands.ts';
import { encodeWav, readWav16k } from '../compiler/audio/wav.ts';
import { Progress } from '../compiler/util/progress.ts';
import { deriveSeed, randomStream } from '../compiler/util/prng.ts';

const args = process.argv.slice(2);
const link = args.includes('--link');
const [src, out, countText] = args.filter((a) => a !== '--link');
const count = Number(countText);
if (!src || !out || !Number.isInteger(count) || count < 1) {
  console.error('usage: node --import tsx scripts/keywords-scale.ts SRC OUT N [--link]');
  process.exit(2);
}
if (existsSync(out) && readdirSync(out).length > 0) {
  console.error(`keywords-scale: ${out} is not empty`);
  process.exit(2);
}
const sources: string[] = [];
for (const word of readdirSync(src, { withFileTypes: true }).filter((d) => d.isDirectory() && !d.name.startsWith('_')).map((d) => d.name).sort()) {
  for (const file of readdirSync(join(src, word)).filter((f) => f.endsWith('.wav')).sort()) sources.push(`${word}/${file}`);
}
if (sources.length === 0) {
  console.error(`keywords-scale: no clips in ${src}`);
  process.exit(2);
}
mkdirSync(out, { recursive: true });
cpSync(join(src, BACKGROUND_DIR), join(out, BACKGROUND_DIR), { recursive: true });
const progress = new Progress('clips', count);
for (let i = 0; i < count; i++) {
  const path = sources[i % sources.length];
  const copy = Math.floor(i / sources.length);
  const [word, file] = path.split('/');
  const [speaker, take] = file.split('_nohash_');
  mkdirSync(join(out, word), { recursive: true });
  if (link) {
    linkSync(join(src, path), join(out, word, `${speaker}r${copy}_nohash_${take}`));
    continue;
  }
  const pcm = readWav16k(join(src, path));
  const random = randomStream(deriveSeed(1, `${path}/${copy}`));
  const shift = Math.floor(random() * pcm.length);
  const gain = 10 ** ((random() * 12 - 6) / 20);
  const clip = new Int16Array(pcm.length);
  for (let k = 0; k < pcm.length; k++) clip[k] = Math.max(-32768, Math.min(32767, Math.round(pcm[(k + shift) % pcm.length] * gain)));
  writeFileSync(join(out, word, `${speaker}r${copy}_nohash_${take}`), encodeWav(clip));
  if (i % 500 === 499) progress.update(i + 1);
}
if (link) progress.update(count);
progress.done();
console.log(`wrote ${count} clips from ${sources.length} source clips to ${out}`);
