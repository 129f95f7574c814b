/** Keyword synthesis worker: speaks the voices the main thread sends, one at a time. */
import { parentPort, workerData } from 'node:worker_threads';
import { speakVoice, type Noise, type VoiceJob } from './synth-speak.ts';

const noise: Noise = workerData.noise;

parentPort!.on('message', async (job: VoiceJob) => {
  try {
    const batched = await speakVoice(job, noise, () => parentPort!.postMessage({ clip: true }));
    parentPort!.postMessage({ done: true, batched });
  } catch (error) {
    parentPort!.postMessage({ done: true, error: { name: (error as Error).name, message: (error as Error).message } });
  }
});
