/** Stand-in for Moddable's `timer` module over the simulated clock's queue. */
import { advance, cancel, newTimer, schedule, type SimTimer } from './host.ts';

const Timer = {
  set(callback: (timer: SimTimer) => void, interval = 0, repeat = 0): SimTimer {
    return newTimer(callback, interval, repeat);
  },
  repeat(callback: (timer: SimTimer) => void, interval: number): SimTimer {
    return newTimer(callback, interval, interval);
  },
  schedule(timer: SimTimer, interval = 0, repeat = 0): void {
    schedule(timer, interval, repeat);
  },
  clear(timer: SimTimer | null | undefined): void {
    cancel(timer);
  },
  delay(milliseconds: number): void {
    advance(milliseconds);
  },
};

export default Timer;
