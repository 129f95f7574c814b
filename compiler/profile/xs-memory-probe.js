// Evaluated in XS BEFORE dist/tempo-cim-runtime.xs.js (host-side profiling harness, not device code).
// xsnap has no Moddable `instrumentation`, so typed-array storage (what lives in the XS chunk heap)
// is counted by replacing the typed-array constructors with subclasses that add the byte length of
// every buffer they allocate (views over an existing ArrayBuffer allocate nothing and are not
// counted). Slots are read from the meter's currentHeapCount on the host side.
//   'N'                    -> empty reply (measures the cost of a call itself)
//   'G'                    -> gc(); JSON {typedBytes, typedArrays} allocated so far
//   'L' + model bytes      -> JSON {ok, scratchBytes, typedBytes, typedArrays} allocated by loadModel +
//                             createNetwork (the model is copied with ArrayBuffer.prototype.slice, as
//                             flash on a device, so it is not counted)
//   'R'                    -> gc(); JSON {retainedBytes, retainedArrays}: what of the last load's
//                             allocations is still alive (the rest was transient, e.g. the CRC table)
//   'I' + flags + codes    -> int32 [classIndex, typed bytes allocated by this inference]
//   'T' + flags + reps(u16 LE) + codes -> float64 [ms per inference over reps runs, by performance.now()]
(function () {
  const counter = { bytes: 0, arrays: 0 };
  // While loading, every allocated array is also held weakly so that what survives gc() is known.
  let tracked = null;
  const names = ['Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array', 'Float32Array', 'Float64Array'];
  for (const name of names) {
    const Base = globalThis[name];
    const Counting = class extends Base {
      constructor(...args) {
        super(...args);
        if (!(args[0] instanceof ArrayBuffer || args[0] instanceof SharedArrayBuffer)) {
          counter.bytes += this.byteLength;
          counter.arrays++;
          if (tracked) tracked.push(new WeakRef(this));
        }
      }
    };
    Object.defineProperty(Counting, 'name', { value: name });
    globalThis[name] = Counting;
  }
  const encoder = new TextEncoder();
  const json = (value) => encoder.encode(JSON.stringify(value)).buffer;
  let network;
  globalThis.handleCommand = function (message) {
    const op = new Uint8Array(message, 0, 1)[0];
    if (op === 0x4e) return new ArrayBuffer(0);
    if (op === 0x47) {
      gc();
      return json({ typedBytes: counter.bytes, typedArrays: counter.arrays });
    }
    if (op === 0x4c) {
      const flash = message.slice(1);
      const bytes = counter.bytes;
      const arrays = counter.arrays;
      tracked = [];
      try {
        network = TempoCIM.createNetwork(TempoCIM.loadModel(flash));
        return json({ ok: true, scratchBytes: network.scratchBytes, typedBytes: counter.bytes - bytes, typedArrays: counter.arrays - arrays });
      } catch (e) {
        network = undefined;
        return json({ ok: false, message: String(e && e.message) });
      }
    }
    if (op === 0x52) {
      gc();
      let bytes = 0;
      let arrays = 0;
      for (const ref of tracked || []) {
        const array = ref.deref();
        if (array !== undefined) {
          bytes += array.byteLength;
          arrays++;
        }
      }
      tracked = null;
      return json({ retainedBytes: bytes, retainedArrays: arrays });
    }
    const flags = new Uint8Array(message, 1, 1)[0];
    const options = { earlyExit: (flags & 1) !== 0 };
    if (op === 0x49) {
      const codes = new Uint8Array(message, 2);
      const bytes = counter.bytes;
      const r = network.infer(codes, options);
      const allocated = counter.bytes - bytes;
      const out = new Int32Array(2);
      out[0] = r.classIndex;
      out[1] = allocated;
      return out.buffer;
    }
    if (op === 0x54) {
      const head = new Uint8Array(message, 2, 2);
      const reps = head[0] | (head[1] << 8);
      const codes = new Uint8Array(message, 4);
      const start = performance.now();
      for (let k = 0; k < reps; k++) network.infer(codes, options);
      const out = new Float64Array(1);
      out[0] = (performance.now() - start) / reps;
      return out.buffer;
    }
    throw new Error('unknown probe op ' + op);
  };
})();
