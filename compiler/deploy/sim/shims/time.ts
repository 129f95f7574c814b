/** Stand-in for Moddable's `time` module: ticks in milliseconds from the simulated clock. */
import { ticks } from './host.ts';

const Time = {
  get ticks(): number {
    return ticks();
  },
  get microseconds(): number {
    return ticks() * 1000;
  },
  delta(start: number, end?: number): number {
    return (end ?? ticks()) - start;
  },
  timezone: 0,
  dst: 0,
  set(): void {},
};

export default Time;
