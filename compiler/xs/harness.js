// Evaluated in XS after dist/tempo-cim-runtime.xs.js (which defines TempoCIM). Host-side test
// harness, not device code: it keeps the loaded network on globalThis between commands. In the
// native test host, globalThis.tempoNative holds the native kernels models are loaded with.
//   'L' + model bytes          -> JSON {ok, inputLength, labels, scratchBytes} or {ok:false, name, code, message}
//   'I' + flags + codes        -> status byte 0, then int32s: class, stoppedEarly, 7 op counters,
//                                 M, M scores, [layer count, then each layer's codes as int32s]
//                                 flags: bit0 early exit, bit1 trace; status 1 + JSON error
(function () {
  const encoder = new TextEncoder();
  const json = (value) => encoder.encode(JSON.stringify(value)).buffer;
  const failure = (e) => {
    const text = encoder.encode(JSON.stringify({ ok: false, name: e && e.name, code: e && e.code, message: String(e && e.message) }));
    const out = new Uint8Array(text.length + 1);
    out[0] = 1;
    out.set(text, 1);
    return out.buffer;
  };
  globalThis.handleCommand = function (message) {
    const op = new Uint8Array(message, 0, 1)[0];
    if (op === 0x4c) {
      try {
        const model = TempoCIM.loadModel(message.slice(1), { native: globalThis.tempoNative || null });
        globalThis.tempoNetwork = TempoCIM.createNetwork(model);
        return json({ ok: true, inputLength: tempoNetwork.inputLength, labels: model.labels, scratchBytes: tempoNetwork.scratchBytes });
      } catch (e) {
        globalThis.tempoNetwork = undefined;
        return json({ ok: false, name: e && e.name, code: e && e.code, message: String(e && e.message) });
      }
    }
    if (op === 0x49) {
      try {
        const flags = new Uint8Array(message, 1, 1)[0];
        const codes = new Uint8Array(message, 2);
        const r = tempoNetwork.infer(codes, { earlyExit: (flags & 1) !== 0 });
        const m = r.scores.length;
        let traceWords = 0;
        if (flags & 2) {
          traceWords = 1;
          for (let k = 0; k < r.trace.length; k++) traceWords += 1 + r.trace[k].length;
        }
        const out = new Int32Array(1 + 10 + m + traceWords);
        const o = r.ops;
        out[1] = r.classIndex;
        out[2] = r.stoppedEarly ? 1 : 0;
        out[3] = o.rowAdds; out[4] = o.zeroInputsSkipped; out[5] = o.inputsSkippedEarly; out[6] = o.stepsSaved;
        out[7] = o.leakUpdates; out[8] = o.partials; out[9] = o.clippedPartials;
        out[10] = m;
        out.set(r.scores, 11);
        if (flags & 2) {
          let at = 11 + m;
          out[at++] = r.trace.length;
          for (let k = 0; k < r.trace.length; k++) {
            out[at++] = r.trace[k].length;
            out.set(r.trace[k], at);
            at += r.trace[k].length;
          }
        }
        return out.buffer;
      } catch (e) {
        return failure(e);
      }
    }
    return failure(new Error('unknown harness op ' + op));
  };
})();
