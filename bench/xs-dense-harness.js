// Evaluated in XS after dist/tempo-cim-runtime.xs.js: the same worker runs the event-driven runtime
// and, as the baseline, a straightforward dense int8 MAC loop over the same model weights (loaded
// by TempoCIM.loadModel; parsing is not timed). Both ops reply the same 4-byte class so the
// per-call overhead is identical.
//   'L' + model bytes      -> 'ok' or the error message
//   'E' + flags + codes    -> int32 class from the runtime (flags bit0: early exit)
//   'D' + 0 + codes        -> int32 class from the dense loop
// The dense loop handles ideal-mode dense layers without leak (the digits models).
(function () {
  let network;
  let layers;
  let buffers;
  function denseClass(codes) {
    let input = codes;
    for (let k = 0; k < layers.length; k++) {
      const layer = layers[k];
      const n = layer.rows;
      const m = layer.outChannels;
      const w = layer.weights;
      const acc = buffers[k].acc;
      for (let j = 0; j < m; j++) acc[j] = layer.biases[j];
      for (let i = 0; i < n; i++) {
        const a = input[i];
        const row = i * m;
        for (let j = 0; j < m; j++) acc[j] += a * w[row + j];
      }
      if (k === layers.length - 1) {
        let best = 0;
        for (let j = 1; j < m; j++) if (acc[j] > acc[best]) best = j;
        return best;
      }
      const out = buffers[k].out;
      const top = layer.outMax;
      for (let j = 0; j < m; j++) {
        const code = acc[j] < layer.thresholds[j] ? 0 : Math.floor(acc[j] / layer.thresholds[j]);
        out[j] = code > top ? top : code;
      }
      input = out;
    }
    return -1;
  }
  const reply = (value) => {
    const out = new Int32Array(1);
    out[0] = value;
    return out.buffer;
  };
  globalThis.handleCommand = function (message) {
    const op = new Uint8Array(message, 0, 1)[0];
    if (op === 0x4c) {
      try {
        const model = TempoCIM.loadModel(message.slice(1));
        for (const layer of model.layers) {
          if (layer.kind !== 'dense' || layer.macro || layer.leakShift !== 0) throw new Error('the dense baseline needs ideal-mode dense layers without leak');
        }
        network = TempoCIM.createNetwork(model);
        layers = model.layers;
        buffers = layers.map((l) => ({ acc: new Int32Array(l.outChannels), out: new Uint8Array(l.outChannels) }));
        return new TextEncoder().encode('ok').buffer;
      } catch (e) {
        return new TextEncoder().encode(String(e && e.message)).buffer;
      }
    }
    const flags = new Uint8Array(message, 1, 1)[0];
    const codes = new Uint8Array(message, 2);
    if (op === 0x45) return reply(network.infer(codes, { earlyExit: (flags & 1) !== 0 }).classIndex);
    if (op === 0x44) return reply(denseClass(codes));
    throw new Error('unknown bench op ' + op);
  };
})();
