// The trainer's generator lives in compiler/util/prng.ts (the project's one PRNG); this re-export
// keeps trainer.ts and net.ts importing it as before.
export { Rng } from '../util/prng.ts';
