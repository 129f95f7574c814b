/** eSpeak NG training voices with drawn variant parameters (--espeak-variants drawn). */
import { describe, expect, it } from 'vitest';
import { EspeakVoice, perturbVariant, type EspeakVariantParams } from '../../compiler/audio/engines/espeak.ts';
import { chooseEspeakVoices, drawEspeakVariant } from '../../compiler/audio/synth-voices.ts';
import { randomStream } from '../../compiler/util/prng.ts';

const identity: EspeakVariantParams = {
  formantFreq: Array(9).fill(1),
  formantHeight: Array(9).fill(1),
  formantWidth: Array(9).fill(1),
  pitchScale: 1,
  flutterScale: 1,
  roughnessAdd: 0,
  voicingScale: 1,
  consonantScale: 1,
};

const lines = (text: string, key: string) => text.split('\n').filter((l) => l.trim().split(/\s+/)[0] === key).map((l) => l.trim());

describe('perturbVariant', () => {
  const variant = 'language variant\nname Test\npitch 100 150\nformant 1 90 120 80\nformant 4 10 20 20 -50\nflutter 4\ntone 100 255 600 70\n';

  it('writes every parameter it moves once, keeping the others', () => {
    const text = perturbVariant(variant, identity);
    expect(lines(text, 'name')).toEqual(['name Test']);
    expect(lines(text, 'tone')).toEqual(['tone 100 255 600 70']);
    expect(lines(text, 'formant')).toHaveLength(9);
    expect(lines(text, 'formant').find((l) => l.startsWith('formant 1 '))).toBe('formant 1 90 120 80');
    // freqadd (-50) is carried; formants the file does not set get eSpeak NG's defaults.
    expect(lines(text, 'formant').find((l) => l.startsWith('formant 4 '))).toBe('formant 4 10 20 20 -50');
    expect(lines(text, 'formant').find((l) => l.startsWith('formant 0 '))).toBe('formant 0 100 102 109');
    expect(lines(text, 'pitch')).toEqual(['pitch 100 150']);
    expect(lines(text, 'flutter')).toEqual(['flutter 4']);
    expect(lines(text, 'roughness')).toEqual(['roughness 2']);
    expect(lines(text, 'consonants')).toEqual(['consonants 90 100']);
  });

  it('scales formants, pitch and levels, and clamps roughness to 0-7', () => {
    const moved = perturbVariant(variant, {
      ...identity,
      formantFreq: Array(9).fill(1.1),
      formantWidth: Array(9).fill(2),
      pitchScale: 0.8,
      roughnessAdd: 9,
      voicingScale: 0.5,
    });
    expect(lines(moved, 'formant').find((l) => l.startsWith('formant 1 '))).toBe('formant 1 99 120 160');
    expect(lines(moved, 'pitch')).toEqual(['pitch 80 120']);
    expect(lines(moved, 'roughness')).toEqual(['roughness 7']);
    expect(lines(moved, 'voicing')).toEqual(['voicing 50']);
    expect(lines(perturbVariant(variant, { ...identity, roughnessAdd: -5 }), 'roughness')).toEqual(['roughness 0']);
  });
});

describe('drawn eSpeak NG training voices', () => {
  it('move only the training voices; held-out voices stay the shipped variants', () => {
    const shipped = chooseEspeakVoices(80, 3);
    const drawn = chooseEspeakVoices(80, 3, true);
    const heldOut = (voices: typeof shipped) => voices.filter((v) => v.split !== 'train');
    expect(heldOut(drawn)).toEqual(heldOut(shipped));
    const train = drawn.filter((v) => v.split === 'train');
    expect(train).toHaveLength(64);
    expect(train.every((v) => v.espeak !== undefined)).toBe(true);
    expect(new Set(train.map((v) => v.id)).size).toBe(64);
    expect(train.map((v) => v.name)).toEqual(shipped.filter((v) => v.split === 'train').map((v) => v.name));
    expect(new Set(train.map((v) => v.espeak!.pitchScale)).size).toBe(64);
    expect(chooseEspeakVoices(80, 3, true)).toEqual(drawn); // deterministic for a seed
  });

  it('draws factors inside their ranges', () => {
    const random = randomStream(11);
    for (let i = 0; i < 50; i++) {
      const p = drawEspeakVariant(random);
      expect(p.formantFreq.every((f) => f >= 0.88 * 0.95 && f <= 1.12 * 1.05)).toBe(true);
      expect(p.pitchScale).toBeGreaterThanOrEqual(0.8);
      expect(p.pitchScale).toBeLessThanOrEqual(1.25);
    }
  });

  it('speak differently from the shipped variant, the same way every time', async () => {
    const take = { word: 'yes', speed: 170, pitch: 50, amplitude: 100 };
    const params = drawEspeakVariant(randomStream(5));
    const shipped = (await EspeakVoice.create('en-us+m3')).speakTake(take);
    const drawn = (await EspeakVoice.create('en-us+m3', params)).speakTake(take);
    const again = (await EspeakVoice.create('en-us+m3', params)).speakTake(take);
    expect(again).toEqual(drawn);
    expect(drawn.length).toBeGreaterThan(4000);
    const n = Math.min(shipped.length, drawn.length);
    let differ = 0;
    for (let i = 0; i < n; i++) if (Math.abs(shipped[i] - drawn[i]) > 1e-3) differ++;
    expect(differ).toBeGreaterThan(n / 4);
    // The shipped variant is untouched by a drawn voice (each instance has its own file system).
    expect((await EspeakVoice.create('en-us+m3')).speakTake(take)).toEqual(shipped);
  }, 60_000);
});
