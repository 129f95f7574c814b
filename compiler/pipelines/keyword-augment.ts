/**
 * Per-epoch waveform augmentation of the keyword training set: before each epoch, every training
 * clip is (with the recipe's probability) read back from the on-disk PCM cache, augmented as a
 * waveform (compiler/audio/augment-wave.ts) and coded again by the runtime's integer front-end;
 * the other clips keep their clean codes. Draws come from a stream seeded by (seed, epoch, clip),
 * so an epoch's inputs do not depend on threads or on resuming.
 */
import { createAudioFrontend } from '../../runtime/frontend/frontend.ts';
import { augmentWave, type NoiseBank, type WaveAugmentRecipe } from '../audio/augment-wave.ts';
import type { PcmCache } from '../audio/pcm-cache.ts';
import { deriveSeed, randomStream } from '../util/prng.ts';

export function waveAugmentEpochs(
  cache: PcmCache,
  clean: Uint8Array,
  count: number,
  frontendBlob: Int32Array,
  recipe: WaveAugmentRecipe,
  noise: NoiseBank,
  seed: number,
): (epoch: number, images: Uint8Array) => void {
  const frontend = createAudioFrontend(frontendBlob);
  const size = frontend.frames * frontend.channels;
  const pcm = new Int16Array(cache.clipSamples);
  return (epoch, images) => {
    for (let i = 0; i < count; i++) {
      const random = randomStream(deriveSeed(seed, `wave/${epoch}/${i}`));
      const at = images.subarray(i * size, (i + 1) * size);
      if (random() < recipe.probability) frontend.computeClip(augmentWave(cache.read(i, pcm), recipe, noise, random), at);
      else at.set(clean.subarray(i * size, (i + 1) * size));
    }
  };
}
