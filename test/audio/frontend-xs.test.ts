/**
 * The integer front-end gives bit-identical codes in Node and in the real XS engine
 * (xsnap-worker), with the TypeScript kernels and with the native C ones (the XS test host);
 * XS's deterministic compute meter per 1 s clip is reported.
 */
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFrontendBlob } from '../../compiler/audio/frontend-config.ts';
import { nativeHostPath } from '../../compiler/xs/native-host.ts';
import { XsWorker } from '../../compiler/xs/worker.ts';
import { createAudioFrontend } from '../../runtime/frontend/frontend.ts';
import { extremeClips, speechLikeClip } from './speechlike.ts';
import { xsMessage } from '../helpers/xs-message.ts';

const ENTRY = new URL('../../runtime/frontend/frontend.ts', import.meta.url).pathname;

// XS side: 'P' + pad + int16 clips -> keep them; 'B' + pad + blob words -> create the front-end;
// 'C' + pad + u32 index -> codes of that clip (so the meter of a 'C' call is one computeClip).
const HARNESS = `
globalThis.handleCommand = function (message) {
  const op = new Uint8Array(message, 0, 1)[0];
  if (op === 0x50) {
    globalThis.clips = new Int16Array(message.slice(4));
    return new ArrayBuffer(0);
  }
  if (op === 0x42) {
    globalThis.frontend = TempoFrontend.createAudioFrontend(new Int32Array(message.slice(4)), { native: globalThis.TempoCIMNative || null });
    globalThis.codes = new Uint8Array(frontend.frames * frontend.channels);
    return new Uint8Array([frontend.frames, frontend.channels, frontend.bits]).buffer;
  }
  const index = new Uint32Array(message, 4, 1)[0];
  frontend.computeClip(clips.subarray(index * 16000, (index + 1) * 16000), codes);
  return codes.buffer;
};`;


describe.each(['TypeScript', 'native'] as const)('front-end in XS (%s kernels)', (engine) => {
  let xs: XsWorker;

  beforeAll(async () => {
    const bundle = await build({ entryPoints: [ENTRY], bundle: true, format: 'iife', globalName: 'TempoFrontend', footer: { js: 'globalThis.TempoFrontend = TempoFrontend;' }, write: false, target: 'es2020' });
    xs = await XsWorker.start({ stdout: 'ignore', binary: engine === 'native' ? nativeHostPath('release') : undefined });
    await xs.evaluate(bundle.outputFiles[0].text);
    await xs.evaluate(HARNESS);
  });

  afterAll(async () => {
    await xs?.close();
  });

  for (const [label, options, count] of [['log-mel', {}, 200], ['DCT', { dctCoefficients: 13, bits: 5 }, 24], ['window-peak normalized', { normalize: 'window-peak' }, 24], ['channel-mean normalized', { normalize: 'channel-mean' }, 24]] as const) {
    it(`${label}: codes are bit-identical to Node on ${count} clips`, async () => {
      const clips = Array.from({ length: count }, (_, i) => speechLikeClip(20000 + i));
      clips.splice(0, 8, ...extremeClips());
      const blob = buildFrontendBlob(options, clips.slice(8, 48));
      const node = createAudioFrontend(blob);
      const created = await xs.command(xsMessage('B', blob));
      expect(Array.from(created.reply)).toEqual([node.frames, node.channels, node.bits]);

      const size = node.frames * node.channels;
      const expected = new Uint8Array(count * size);
      const codes = new Uint8Array(size);
      clips.forEach((clip, k) => {
        node.computeClip(clip, codes);
        expected.set(codes, k * size);
      });
      const pcm = new Int16Array(count * 16000);
      clips.forEach((clip, k) => pcm.set(clip, k * 16000));
      await xs.command(xsMessage('P', pcm));
      let identical = 0;
      let compute = 0;
      for (let k = 0; k < count; k++) {
        const result = await xs.command(xsMessage('C', Uint32Array.of(k)));
        compute += result.compute;
        if (result.reply.length === size && result.reply.every((v, i) => v === expected[k * size + i])) identical++;
      }
      console.log(`${label} (${engine}): ${identical}/${count} clips bit-identical in XS; XS compute per 1 s clip ~${Math.round(compute / count)}`);
      expect(identical).toBe(count);
      // 200 clips of the TypeScript front-end are ~2.5 G XS steps: over two minutes on a loaded 2-core machine.
    }, 300_000);
  }
});
