/** A small Speech Commands-layout folder of deterministic speech-like clips (no speech engine), for stream tests. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KEYWORDS } from '../../compiler/audio/speech-commands.ts';
import { encodeWav } from '../../compiler/audio/wav.ts';
import { speechLikeClip } from '../audio/speechlike.ts';

/** Three takes of every keyword and of two unknown words (bed, cat); take k is listed in the split `splitOf(k)`. */
export function speechLikeKeywordFolder(dir: string, splitOf: (take: number) => 'validation' | 'test' = () => 'test'): void {
  const lists = { validation: [] as string[], test: [] as string[] };
  let seed = 100;
  for (const word of [...KEYWORDS, 'bed', 'cat']) {
    mkdirSync(join(dir, word), { recursive: true });
    for (let k = 0; k < 3; k++) {
      const name = `${word}/v${k}_nohash_0.wav`;
      writeFileSync(join(dir, name), encodeWav(speechLikeClip(seed++), { sampleRate: 16000 }));
      lists[splitOf(k)].push(name);
    }
  }
  const text = (names: string[]) => (names.length ? `${names.join('\n')}\n` : '');
  writeFileSync(join(dir, 'testing_list.txt'), text(lists.test));
  writeFileSync(join(dir, 'validation_list.txt'), text(lists.validation));
}
