// Worker entry: registers tsx's loader inside the worker thread, then loads the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./synth-worker.ts');
