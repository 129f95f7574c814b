/**
 * Drives Moddable's XS engine (the xsnap-worker binary that @agoric/xsnap builds at install) over
 * its netstring pipes: fd 3 carries commands to XS, fd 4 replies. No SES lockdown is needed in
 * this process because we never load @agoric/xsnap's JS API.
 *
 *   to XS:   e<script>          evaluate a script
 *            ?<bytes>           call globalThis.handleCommand(ArrayBuffer) -> ArrayBuffer
 *   from XS: .<meter json>\x01<reply>   done (meter has `compute`: a deterministic op count)
 *            !<message>                 the script or handler threw
 *            ?<bytes>                   XS asks us something (answered with an empty '/')
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Readable, Writable } from 'node:stream';

export interface XsReply {
  reply: Uint8Array;
  /** XS meter: computation steps spent by this call (deterministic for the same code and data). */
  compute: number;
  /** Live XS slots (heap cells) after the call. */
  heapCount: number;
}

export interface XsWorkerOptions {
  /** Abort a call after this many compute steps (0 = unlimited). */
  meteringLimit?: number;
  /** Forward XS `print` output here (default: this process's stdout). */
  stdout?: 'inherit' | 'pipe' | 'ignore';
  /** Worker binary speaking the same protocol (default: @agoric/xsnap's; see native-host.ts). */
  binary?: string;
}

export class XsError extends Error {
  override name = 'XsError';
}

export function xsnapWorkerPath(): string {
  const require = createRequire(import.meta.url);
  const root = dirname(require.resolve('@agoric/xsnap/package.json'));
  const bin = join(root, 'xsnap-native/xsnap/build/bin/lin/release/xsnap-worker');
  if (!existsSync(bin)) throw new XsError(`XS worker not built at ${bin}: reinstall with 'npm ci' (needs make and a C compiler)`);
  return bin;
}

interface Pending {
  resolve(value: XsReply): void;
  reject(error: Error): void;
}

export class XsWorker {
  private readonly child: ChildProcess;
  private readonly toXs: Writable;
  private pending: Pending[] = [];
  private buffered: Buffer = Buffer.alloc(0);
  private exited: Error | null = null;
  /** Text XS printed, when started with stdout 'pipe'. */
  output = '';

  private constructor(child: ChildProcess) {
    this.child = child;
    this.toXs = child.stdio[3] as Writable;
    const fromXs = child.stdio[4] as Readable;
    fromXs.on('data', (chunk: Buffer) => this.receive(chunk));
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString('utf8')));
    child.on('exit', (code, signal) => {
      this.exited = new XsError(`XS worker exited (${signal ?? `code ${code}`})${code === 13 || code === 19 ? ': metering limit or memory exhausted' : ''}`);
      for (const p of this.pending) p.reject(this.exited);
      this.pending = [];
    });
  }

  static async start(options: XsWorkerOptions = {}): Promise<XsWorker> {
    const args = ['tempo-cim'];
    if (options.meteringLimit) args.push('-l', String(options.meteringLimit));
    const child = spawn(options.binary ?? xsnapWorkerPath(), args, {
      stdio: ['ignore', options.stdout ?? 'inherit', 'inherit', 'pipe', 'pipe'],
    });
    const worker = new XsWorker(child);
    await worker.evaluate('0');
    return worker;
  }

  /** Evaluates a script in the XS global scope. */
  evaluate(code: string): Promise<XsReply> {
    return this.send(Buffer.concat([Buffer.from('e'), Buffer.from(code, 'utf8')]));
  }

  /** Calls globalThis.handleCommand in XS with `bytes`; resolves with its reply and meter. */
  command(bytes: Uint8Array): Promise<XsReply> {
    return this.send(Buffer.concat([Buffer.from('?'), bytes]));
  }

  async close(): Promise<void> {
    if (this.exited) return;
    const done = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill();
    await done;
  }

  private send(payload: Buffer): Promise<XsReply> {
    if (this.exited) return Promise.reject(this.exited);
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.toXs.write(Buffer.concat([Buffer.from(`${payload.length}:`), payload, Buffer.from(',')]));
    });
  }

  private receive(chunk: Buffer): void {
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
    for (;;) {
      const colon = this.buffered.indexOf(58);
      if (colon < 0) return;
      const length = Number(this.buffered.subarray(0, colon).toString('latin1'));
      const end = colon + 1 + length;
      if (this.buffered.length < end + 1) return;
      const message = this.buffered.subarray(colon + 1, end);
      this.buffered = this.buffered.subarray(end + 1);
      this.dispatch(message);
    }
  }

  private dispatch(message: Buffer): void {
    const kind = message[0];
    if (kind === 0x3f /* ? */) {
      // XS-initiated query: we offer no host services; answer empty.
      this.toXs.write('1:/,');
      return;
    }
    const waiter = this.pending.shift();
    if (!waiter) return;
    if (kind === 0x2e /* . */) {
      const separator = message.indexOf(1, 1);
      const meter = separator < 0 ? {} : JSON.parse(message.subarray(1, separator).toString('utf8'));
      const reply = separator < 0 ? new Uint8Array(0) : new Uint8Array(message.subarray(separator + 1));
      waiter.resolve({ reply, compute: meter.compute ?? 0, heapCount: meter.currentHeapCount ?? 0 });
    } else {
      waiter.reject(new XsError(message.subarray(1).toString('utf8')));
    }
  }
}
