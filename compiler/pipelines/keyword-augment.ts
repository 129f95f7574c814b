/**
 * Per-epoch waveform augmentation of the keyword training set: before each epoch, every training
 * clip is (with the recipe's probability) read back from the on-disk PCM cache, augmented as a
 * waveform (compiler/audio/augment-wave.ts) and coded again by the runtime's integer front-end;
 * the other clips keep their clean codes. Draws come from a stream seeded by (seed, epoch, clip),
 * so an epoch's inputs do not depend on threads or on resuming.
 *
 * With `variants` K > 0 each clip instead has K augmented takes, each drawn from a stream seeded by
 * (seed, take, clip), coded once when first used and kept as codes (K x 784 B a clip); an epoch
 * that augments a clip picks one of its takes. Augmenting and coding a clip costs far more than
 * training on it, so this bounds the augmentation work to K runs a clip for the whole training.
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
  variants = 0,
): (epoch: number, images: Uint8Array) => void {
  const frontend = createAudioFrontend(frontendBlob);
  const size = frontend.frames * frontend.channels;
  const pcm = new Int16Array(cache.clipSamples);
  const takes = variants > 0 ? new Uint8Array(count * variants * size) : null;
  const coded = new Uint8Array(count * variants);
  const take = (i: number, k: number): Uint8Array => {
    const slot = i * variants + k;
    const codes = takes!.subarray(slot * size, (slot + 1) * size);
    if (!coded[slot]) {
      frontend.computeClip(augmentWave(cache.read(i, pcm), recipe, noise, randomStream(deriveSeed(seed, `wave-take/${k}/${i}`))), codes);
      coded[slot] = 1;
    }
    return codes;
  };
  return (epoch, images) => {
    for (let i = 0; i < count; i++) {
      const random = randomStream(deriveSeed(seed, `wave/${epoch}/${i}`));
      const at = images.subarray(i * size, (i + 1) * size);
      if (random() >= recipe.probability) at.set(clean.subarray(i * size, (i + 1) * size));
      else if (takes) at.set(take(i, Math.floor(random() * variants)));
      else frontend.computeClip(augmentWave(cache.read(i, pcm), recipe, noise, random), at);
    }
  };
}
