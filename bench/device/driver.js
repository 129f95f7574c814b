// Benchmark driver evaluated by the RV32 device image after the runtime bundle (which defines
// TempoCIM). Phases are bracketed by deviceMark(begin) / deviceMark(begin + 1); the ids are those of
// compiler/profile/device-counts.ts PHASE_MARKS. Prints one JSON line with the results it computed,
// so the harness can check them against the Node runtime.
//   deviceArgs: MODEL.tcm INPUTS.bin OPTIONS-JSON
//   image models: INPUTS holds `count` images of srcWidth x srcHeight 8-bit pixels;
//   audio models: INPUTS holds 16 kHz int16 PCM; options.hopMs as the keywords app.
(function () {
  const [modelPath, inputsPath, optionsJson] = deviceArgs;
  const options = JSON.parse(optionsJson);
  const earlyExit = options.earlyExit !== false;
  // Native kernels when the image has them (as the device app's "tempo-cim-native" module), else TypeScript.
  const native = globalThis.TempoCIMNative ?? null;

  deviceMark(1); deviceMark(2); // calibration: an empty phase (the marker's own cost)

  const resource = deviceReadFile(modelPath);
  deviceMark(10);
  const model = TempoCIM.loadModel(resource, { native });
  deviceMark(11);
  deviceMark(12);
  const network = TempoCIM.createNetwork(model);
  deviceMark(13);

  const input = model.input;
  const inputs = deviceReadFile(inputsPath);
  const codes = new Uint8Array(network.inputLength);
  const classes = [];
  if (input.kind === 'image') {
    const pixelsPer = input.srcWidth * input.srcHeight;
    const count = options.count;
    for (let i = 0; i < count; i++) {
      const pixels = new Uint8Array(inputs, i * pixelsPer, pixelsPer);
      deviceMark(20);
      TempoCIM.encodeImage(input, pixels, codes, model.native);
      deviceMark(21);
      deviceMark(22);
      const result = network.infer(codes, { earlyExit });
      deviceMark(23);
      classes.push(result.classIndex);
    }
  } else if (input.kind === 'audio') {
    const frontend = TempoFrontend.createAudioFrontend(input.frontend, { native: model.native });
    const pcm = new Int16Array(inputs);
    const hop = (frontend.sampleRate * options.hopMs) / 1000;
    const chunk = 512; // the keywords app reads the microphone in 512-sample chunks
    for (let at = 0; at + hop <= pcm.length; at += hop) {
      deviceMark(30);
      for (let done = 0; done < hop; done += chunk) frontend.push(pcm, at + done, Math.min(chunk, hop - done));
      deviceMark(31);
      if (frontend.frameCount >= frontend.frames) {
        deviceMark(32);
        frontend.codes(codes);
        const result = network.infer(codes, { earlyExit });
        deviceMark(33);
        classes.push(result.classIndex);
      }
    }
  } else {
    throw new Error('device bench: models with ' + input.kind + ' input are not supported');
  }
  devicePrint(JSON.stringify({ classes }) + '\n');
})();
