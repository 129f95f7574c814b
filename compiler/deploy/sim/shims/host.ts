/**
 * Runs inside XS (xsnap-worker), bundled with the app by `tempo-cim sim`: the simulated board's
 * clock, timer queue, console and data resources, shared by the Moddable module stand-ins.
 *
 * Clock: Time.ticks follows real XS execution time, but idle waits (for the next timer) are
 * skipped, so a 1 s audio recording plays in as long as its processing takes.
 */
declare const globalThis: {
  performance?: { now(): number };
  /** The XS test host's heap counters (compiler/xs/host/natives.c), bytes: [chunks, chunk peak, slots, slot peak]. */
  TempoCIMHeap?: () => number[];
  __tempoCimSim?: SimControl;
  handleCommand?: (message: ArrayBuffer) => ArrayBuffer;
  /** Filled by the host's receiver script (compiler/deploy/sim/run.ts) before this bundle runs. */
  __tempoCimResources?: Map<string, ArrayBuffer>;
  /** The Piu stand-in's view (./view.ts), when the app made an Application. */
  __tempoCimView?: { figures: object };
};

/** xsnap's global garbage collector. */
declare function gc(): void;

export interface SimTimer {
  id: number;
  due: number;
  repeat: number;
  callback: (timer: SimTimer) => void;
  active: boolean;
}

export interface SimControl {
  /** Runs timers in time order until none are left or the clock passes `limitMs`. */
  run(limitMs: number): void;
}

const realNow = (): number => (globalThis.performance ? globalThis.performance.now() : 0);
const anchor = realNow();
let skipped = 0;
let nextId = 1;
const queue: SimTimer[] = [];
let output = '';
let stopReason = 'not run';

export function ticks(): number {
  return Math.floor(realNow() - anchor + skipped);
}

export function advance(ms: number): void {
  if (ms > 0) skipped += ms;
}

export function trace(...parts: unknown[]): void {
  output += parts.map(String).join('');
}

export function schedule(timer: SimTimer, delay: number, repeat: number): void {
  timer.due = ticks() + Math.max(0, delay);
  timer.repeat = Math.max(0, repeat);
  if (!timer.active) {
    timer.active = true;
    queue.push(timer);
  }
}

export function newTimer(callback: (timer: SimTimer) => void, delay: number, repeat: number): SimTimer {
  const timer: SimTimer = { id: nextId++, due: 0, repeat: 0, callback, active: false };
  schedule(timer, delay, repeat);
  return timer;
}

export function cancel(timer: SimTimer | null | undefined): void {
  if (!timer || !timer.active) return;
  timer.active = false;
  const index = queue.indexOf(timer);
  if (index >= 0) queue.splice(index, 1);
}

function earliest(): SimTimer | undefined {
  let best: SimTimer | undefined;
  for (const timer of queue) if (!best || timer.due < best.due || (timer.due === best.due && timer.id < best.id)) best = timer;
  return best;
}

function run(limitMs: number): string {
  for (;;) {
    const timer = earliest();
    if (!timer) return 'idle';
    if (timer.due > limitMs) return `time limit (${limitMs} ms)`;
    const now = ticks();
    if (timer.due > now) advance(timer.due - now);
    if (timer.repeat > 0) timer.due += timer.repeat;
    else cancel(timer);
    try {
      timer.callback(timer);
    } catch (error) {
      trace(`XS abort: unhandled exception: ${(error as Error)?.name ?? 'Error'}: ${(error as Error)?.message ?? String(error)}\n`);
      return 'exception';
    }
  }
}

/** The project's data file `name`, as the host sent it before the app started (shared, like a flash mapping). */
export function resource(name: string): ArrayBuffer | undefined {
  return globalThis.__tempoCimResources?.get(name);
}

function encodeUtf8(text: string): ArrayBuffer {
  const bytes: number[] = [];
  for (const ch of text) {
    const c = ch.codePointAt(0) ?? 0;
    if (c < 0x80) bytes.push(c);
    else if (c < 0x800) bytes.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) bytes.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else bytes.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return new Uint8Array(bytes).buffer;
}

/** The XS heap as Moddable's instrumentation counts it (bytes in use now, and the high-water marks), when the host can tell. */
export function heapFigures(): { chunks: number; chunksPeak: number; slots: number; slotsPeak: number } | null {
  const figures = globalThis.TempoCIMHeap?.();
  return figures ? { chunks: figures[0], chunksPeak: figures[1], slots: figures[2], slotsPeak: figures[3] } : null;
}

globalThis.__tempoCimSim = { run: (limitMs) => void (stopReason = run(limitMs)) };
/**
 * Host commands (first byte): 'R' + a decimal limit in ms runs the timers until then (as
 * __tempoCimSim.run: a command, unlike an evaluated script, leaves nothing behind in the heap);
 * 'H' collects garbage and adds `heap` (heapFigures: what the app keeps alive at that moment).
 * Every command drains the console: the reply is UTF-8 JSON {output, stop, ms, display, heap}
 * with the text traced since the last drain, the simulated clock and the display figures
 * (./view.ts) when the app draws.
 */
globalThis.handleCommand = (message) => {
  const bytes = new Uint8Array(message);
  const op = bytes.length > 0 ? bytes[0] : 0;
  if (op === 0x52) {
    let limit = 0;
    for (let i = 1; i < bytes.length; i++) limit = limit * 10 + bytes[i] - 48;
    stopReason = run(limit);
  }
  if (op === 0x48) gc();
  const text = output;
  output = '';
  return encodeUtf8(JSON.stringify({ output: text, stop: stopReason, ms: ticks(), display: globalThis.__tempoCimView?.figures ?? null, heap: op === 0x48 ? heapFigures() : null }));
};
