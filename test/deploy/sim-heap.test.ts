/**
 * The keywords app listening to a stream in real XS (tempo-cim sim) keeps its heap flat: the live
 * XS heap after a garbage collection is the same every 2 s of a 40 s test stream (made by
 * `tempo-cim data stream`'s own generator from a small Speech Commands-layout folder).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildStream } from '../../compiler/audio/synth-stream.ts';
import { encodeWav } from '../../compiler/audio/wav.ts';
import { buildProject } from '../../compiler/deploy/project.ts';
import { simulate } from '../../compiler/deploy/sim/run.ts';
import { speechLikeKeywordFolder } from '../helpers/keyword-folder.ts';
import { audioModel, tempDir } from './fixtures.ts';

const root = tempDir('sim-heap');

describe('keywords app over a stream in real XS', () => {
  it('keeps the live XS heap flat from the first to the last sample (no leak per hop, chunk or detection)', async () => {
    const data = join(root, 'kw');
    speechLikeKeywordFolder(data);
    const stream = buildStream(data, { seconds: 40 });
    const wavPath = join(root, 'stream.wav');
    writeFileSync(wavPath, encodeWav(stream.samples, { sampleRate: 16000 }));
    const dir = join(root, 'app');
    await buildProject({ modelPath: audioModel(join(root, 'keywords.tcm'), 5), device: 'esp32c3', app: 'keywords', outDir: dir, margin: 0 });

    const result = await simulate(dir, { wavPath, heapEveryMs: 2000 });
    expect(result.stop).toBe('idle');
    expect(result.output).toContain('audio: end of keyword.wav (40.00 s)');
    // The app was busy: it reported words along the way.
    expect(result.output.split('\n').filter((line) => line.startsWith('heard ')).length).toBeGreaterThan(3);
    const heap = result.heap!;
    // Samples while the app listens: after start-up, then every 2 s.
    const listening = heap.samples.filter((s) => s.running);
    expect(listening.length).toBeGreaterThanOrEqual(15);
    const spread = (key: 'chunks' | 'slots') => Math.max(...listening.map((s) => s[key])) - Math.min(...listening.map((s) => s[key]));
    // About 320 inferences and 1,250 microphone chunks: one slot (32 B) kept per hop would add 10 KB.
    expect(spread('slots')).toBeLessThanOrEqual(64);
    expect(spread('chunks')).toBeLessThanOrEqual(256);
    // The high-water marks bound what the heaps must hold; they include the 1.28 MB recording.
    expect(heap.chunksPeak).toBeGreaterThanOrEqual(Math.max(...listening.map((s) => s.chunks)));
    expect(heap.slotsPeak).toBeGreaterThanOrEqual(Math.max(...listening.map((s) => s.slots)));
  });
});
