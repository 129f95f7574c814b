// Inline script of the tempo-cim HTML report: draws every chart as SVG from the JSON in
// <script id="report-data">. No network, no libraries. When done it sets
// <body data-rendered="ok" data-charts="N">, or data-rendered="error" and shows the error.
(function () {
  'use strict';
  const NS = 'http://www.w3.org/2000/svg';
  const data = JSON.parse(document.getElementById('report-data').textContent);

  function el(name, attrs, parent) {
    const node = document.createElementNS(NS, name);
    for (const key in attrs) node.setAttribute(key, String(attrs[key]));
    if (parent) parent.appendChild(node);
    return node;
  }
  function text(parent, x, y, content, attrs) {
    const t = el('text', Object.assign({ x: x, y: y, 'font-size': 11, fill: '#333' }, attrs || {}), parent);
    t.textContent = content;
    return t;
  }
  function svg(container, name, width, height) {
    const s = el('svg', { width: width, height: height, viewBox: '0 0 ' + width + ' ' + height, 'data-chart': name, role: 'img' });
    container.appendChild(s);
    return s;
  }
  function section(id) {
    return document.getElementById(id);
  }
  function note(container, message) {
    const p = document.createElement('p');
    p.className = 'note';
    p.textContent = message;
    container.appendChild(p);
  }
  // Room for 'layer N SHAPE' at the charts' 11 px font (about 6.5 px per character).
  function labelWidth(layers) {
    return 12 + 6.5 * Math.max.apply(null, layers.map((l) => ('layer ' + l.index + ' ' + l.shape).length));
  }
  function pct(x) {
    return (100 * x).toFixed(1) + '%';
  }

  function drawHistory(container) {
    const h = data.history;
    if (!h.length) {
      note(container, 'The model\'s provenance has no per-epoch history (a model written without it, or by an older trainer).');
      return false;
    }
    const W = 560, H = 280, L = 48, R = 48, T = 36, B = 34;
    const s = svg(container, 'history', W, H);
    const x = (e) => L + ((e - h[0].epoch) / Math.max(1, h[h.length - 1].epoch - h[0].epoch)) * (W - L - R);
    const losses = h.map((p) => p.loss).filter((v) => v !== null);
    const maxLoss = Math.max.apply(null, losses.concat([1e-9]));
    // Accuracy axis from a round value below the lowest accuracy, so late epochs are not flat at the top.
    const accs = h.reduce((a, p) => a.concat([p.trainAccuracy, p.testAccuracy].filter((v) => v !== null)), []);
    const accMin = accs.length ? Math.max(0, Math.floor((Math.min.apply(null, accs) - 0.01) * 10) / 10) : 0;
    const yAcc = (a) => T + (1 - (a - accMin) / (1 - accMin)) * (H - T - B);
    const yLoss = (v) => T + (1 - v / maxLoss) * (H - T - B);
    el('line', { x1: L, y1: H - B, x2: W - R, y2: H - B, stroke: '#999' }, s);
    el('line', { x1: L, y1: T, x2: L, y2: H - B, stroke: '#999' }, s);
    for (let k = 0; k <= 4; k++) {
      const a = accMin + (k / 4) * (1 - accMin);
      text(s, 4, yAcc(a) + 4, pct(a));
      text(s, W - R + 4, yLoss((maxLoss * k) / 4) + 4, ((maxLoss * k) / 4).toFixed(2));
    }
    h.forEach((p) => text(s, x(p.epoch) - 4, H - B + 14, String(p.epoch)));
    text(s, W / 2 - 20, H - 4, 'epoch');
    const series = [
      { key: 'trainAccuracy', color: '#1f77b4', y: yAcc, name: 'train accuracy' },
      { key: 'testAccuracy', color: '#2ca02c', y: yAcc, name: 'test accuracy' },
      { key: 'loss', color: '#d62728', y: yLoss, name: 'loss (right axis)' },
    ];
    let legend = 0;
    series.forEach((ser) => {
      const pts = h.filter((p) => p[ser.key] !== null).map((p) => x(p.epoch).toFixed(1) + ',' + ser.y(p[ser.key]).toFixed(1));
      if (!pts.length) return;
      el('polyline', { points: pts.join(' '), fill: 'none', stroke: ser.color, 'stroke-width': 2, 'data-series': ser.key }, s);
      h.forEach((p) => { if (p[ser.key] !== null) el('circle', { cx: x(p.epoch), cy: ser.y(p[ser.key]), r: 2.5, fill: ser.color }, s); });
      el('rect', { x: L + legend * 150, y: 6, width: 10, height: 10, fill: ser.color }, s);
      text(s, L + 14 + legend * 150, 15, ser.name);
      legend++;
    });
    return true;
  }

  function drawConfusion(container) {
    const c = data.confusion;
    if (!c) {
      note(container, 'The test inputs have no labels, so there is no confusion matrix.');
      return false;
    }
    const n = c.matrix.length, cell = Math.max(18, Math.min(40, Math.floor(400 / n))), L = 70, T = 40;
    const s = svg(container, 'confusion', L + n * cell + 20, T + n * cell + 20);
    let max = 1;
    c.matrix.forEach((row) => row.forEach((v) => { if (v > max) max = v; }));
    text(s, L, 14, 'predicted →');
    text(s, 2, T - 8, 'true ↓');
    for (let i = 0; i < n; i++) {
      text(s, L + i * cell + cell / 2 - 4, T - 8, data.labels[i].slice(0, 4));
      text(s, L - 40, T + i * cell + cell / 2 + 4, data.labels[i].slice(0, 6));
      for (let j = 0; j < n; j++) {
        const v = c.matrix[i][j];
        const shade = Math.round(255 - 200 * Math.sqrt(v / max));
        const fill = i === j ? 'rgb(' + shade + ',' + (shade + 20 > 255 ? 255 : shade + 20) + ',255)' : 'rgb(255,' + shade + ',' + shade + ')';
        const r = el('rect', { x: L + j * cell, y: T + i * cell, width: cell - 1, height: cell - 1, fill: v ? fill : '#f6f6f6', 'data-cell': i + ',' + j }, s);
        el('title', {}, r).textContent = 'true ' + data.labels[i] + ', predicted ' + data.labels[j] + ': ' + v;
        if (v && cell >= 24) text(s, L + j * cell + 3, T + i * cell + cell / 2 + 4, String(v), { 'font-size': 9 });
      }
    }
    note(container, 'Accuracy ' + pct(c.accuracy) + ' over ' + c.samples + ' test inputs, executed by the integer runtime.');
    return true;
  }

  function drawRasters(container) {
    if (!data.rasters.length) {
      note(container, 'No test inputs.');
      return false;
    }
    data.rasters.forEach((raster) => {
      const layers = raster.layers;
      const gap = 14, stepW = 12, rowH = 160, L = 30, T = 24;
      const width = L + layers.reduce((w, l) => w + (l.steps + 1) * stepW + gap, 0) + 10;
      const caption = document.createElement('h3');
      caption.textContent = 'input #' + raster.sample + (raster.label === null ? '' : ' (label ' + data.labels[raster.label] + ')') + ': predicted ' + raster.predicted;
      container.appendChild(caption);
      const s = svg(container, 'raster', width, T + rowH + 30);
      let x0 = L;
      layers.forEach((layer) => {
        const n = layer.codes.length;
        const wWin = (layer.steps + 1) * stepW;
        el('rect', { x: x0, y: T, width: wWin, height: rowH, fill: '#fafafa', stroke: '#ddd' }, s);
        text(s, x0, T - 8, layer.name + ' (' + n + ')');
        text(s, x0, T + rowH + 14, 't=0');
        text(s, x0 + wWin - 24, T + rowH + 14, 't=' + layer.steps);
        const dotH = Math.max(1, rowH / n);
        for (let i = 0; i < n; i++) {
          const code = layer.codes[i];
          if (code === 0) continue;
          const t = layer.steps - code;
          el('rect', { x: x0 + t * stepW + 1, y: T + i * (rowH / n), width: stepW - 2, height: dotH, fill: '#333', 'data-spike': '1' }, s);
        }
        x0 += wWin + gap;
      });
    });
    note(container, 'One latency-coded spike per neuron and layer window: spike time = A - code (strong activations fire first); neurons with code 0 never spike. Windows are laid side by side, input first.');
    if (data.featureMaps) drawFeatureMaps(container, data.featureMaps);
    return true;
  }

  // conv2d layers of one input: per output channel, the crossbar's map before spike-time pooling
  // and the pooled map (the layer's output); darker = earlier spike (larger code), blank = none.
  function drawFeatureMaps(container, fm) {
    const raster = data.rasters[fm.sample];
    fm.layers.forEach((layer) => {
      const maps = layer.conv ? [['conv', layer.conv], ['pooled', layer.output]] : [['conv', layer.output]];
      const big = maps[0][1];
      const cell = Math.max(3, Math.floor(84 / Math.max(big.height, big.width)));
      // Pooled cells are drawn pool times larger: each covers the window it pooled.
      const cellOf = (kind) => (kind === 'pooled' ? cell * layer.pool : cell);
      const blockW = big.width * cell + 12, labelH = 14;
      const blockH = maps.reduce((h, m) => h + m[1].height * cellOf(m[0]) + labelH, 0) + 8;
      const perLine = Math.max(1, Math.min(layer.channels, Math.floor(1040 / blockW)));
      const lines = Math.ceil(layer.channels / perLine);
      const caption = document.createElement('h3');
      caption.textContent = 'input #' + fm.sample + (raster && raster.label !== null ? ' (label ' + data.labels[raster.label] + ')' : '') + ': layer ' + layer.layer +
        ' conv2d feature maps, ' + layer.channels + ' channels, kernel ' + layer.kernel + 'x' + layer.kernel + ', stride ' + layer.stride + ', padding ' + layer.padding +
        ', ' + big.height + 'x' + big.width + (layer.conv ? ' -> spike-time max pool ' + layer.pool + 'x' + layer.pool + ' -> ' + layer.output.height + 'x' + layer.output.width : '');
      container.appendChild(caption);
      const s = svg(container, 'feature-maps', perLine * blockW + 10, lines * blockH + 4);
      s.setAttribute('data-layer', String(layer.layer));
      for (let c = 0; c < layer.channels; c++) {
        const x0 = 4 + (c % perLine) * blockW;
        let y0 = 2 + Math.floor(c / perLine) * blockH;
        maps.forEach((pair) => {
          const kind = pair[0], map = pair[1], size = cellOf(kind);
          text(s, x0, y0 + 10, (kind === 'conv' ? 'ch ' + c : 'pooled'), { 'font-size': 9 });
          y0 += labelH;
          el('rect', { x: x0, y: y0, width: map.width * size, height: map.height * size, fill: '#fafafa', stroke: '#ddd', 'data-map': kind, 'data-channel': c }, s);
          for (let p = 0; p < map.height * map.width; p++) {
            const code = map.codes[p * layer.channels + c];
            if (code === 0) continue;
            const shade = Math.round(220 - (200 * code) / layer.steps);
            const r = el('rect', {
              x: x0 + (p % map.width) * size, y: y0 + Math.floor(p / map.width) * size, width: size, height: size,
              fill: 'rgb(' + shade + ',' + shade + ',' + shade + ')', 'data-map-spike': kind,
            }, s);
            if (size >= 6) el('title', {}, r).textContent = 'channel ' + c + ' (' + Math.floor(p / map.width) + ', ' + (p % map.width) + '): code ' + code + ', spike at t=' + (layer.steps - code);
          }
          y0 += map.height * size;
        });
      }
    });
    note(container, 'Feature maps: one square per position and output channel, darker = earlier spike (larger code), blank = no spike. Spike-time max pooling keeps the earliest spike of each window.');
  }

  function drawStall(container) {
    if (!data.firing.length) {
      note(container, 'The model has no hidden layer.');
      return false;
    }
    data.firing.forEach((layer) => {
      const bins = 10, W = 460, H = 200, L = 40, B = 30, T = 20;
      const counts = new Array(bins).fill(0);
      let silent = 0, saturated = 0;
      layer.fireRate.forEach((r, i) => {
        counts[Math.min(bins - 1, Math.floor(r * bins))]++;
        if (r === 0) silent++;
        if (layer.saturatedRate[i] === 1) saturated++;
      });
      const h3 = document.createElement('h3');
      h3.textContent = layer.name + ': ' + layer.fireRate.length + ' neurons, ' + silent + ' never fire, ' + saturated + ' always saturated (' + layer.samples + ' inputs)';
      container.appendChild(h3);
      const s = svg(container, 'stall', W, H);
      const max = Math.max.apply(null, counts.concat([1]));
      const bw = (W - L - 10) / bins;
      counts.forEach((v, b) => {
        const h = (v / max) * (H - T - B);
        const r = el('rect', { x: L + b * bw + 1, y: H - B - h, width: bw - 2, height: h, fill: b === 0 ? '#d62728' : '#1f77b4', 'data-bin': b }, s);
        el('title', {}, r).textContent = v + ' neurons fire on ' + (b * 10) + '-' + (b * 10 + 10) + '% of inputs';
        text(s, L + b * bw + 2, H - B + 14, b * 10 + '%', { 'font-size': 9 });
        if (v) text(s, L + b * bw + 4, H - B - h - 3, String(v), { 'font-size': 9 });
      });
      text(s, L, H - 2, 'share of inputs on which a neuron spikes');
    });
    return true;
  }

  function drawOps(container) {
    const layers = data.profile.layers;
    // Labels sit left of the bars; long ones (conv2d geometry) push the bars right.
    const L = Math.max(150, labelWidth(layers)), W = L + 410, rowH = 44, T = 10;
    const s = svg(container, 'ops', W, T + layers.length * rowH + 20);
    const max = Math.max.apply(null, layers.map((l) => l.denseMacs).concat([1]));
    layers.forEach((l, k) => {
      const y = T + k * rowH;
      const event = l.ops.rowAdds * l.outChannels;
      text(s, 0, y + 14, 'layer ' + l.index + ' ' + l.shape);
      el('rect', { x: L, y: y, width: ((W - L - 10) * l.denseMacs) / max, height: 16, fill: '#bbb', 'data-bar': 'dense' }, s);
      el('rect', { x: L, y: y + 18, width: Math.max(1, ((W - L - 10) * event) / max), height: 16, fill: '#2ca02c', 'data-bar': 'event' }, s);
      text(s, L + 4, y + 12, 'dense MACs ' + Math.round(l.denseMacs).toLocaleString(), { 'font-size': 10 });
      text(s, L + 4, y + 30, 'event-driven ' + Math.round(event).toLocaleString() + ' (' + pct(event / l.denseMacs) + ')', { 'font-size': 10 });
    });
    const table = document.createElement('table');
    const head = ['layer', 'row adds', 'zero inputs skipped', 'inputs skipped early', 'steps saved', 'leak updates', 'partials', 'clipped'];
    table.innerHTML = '<tr>' + head.map((h) => '<th>' + h + '</th>').join('') + '</tr>';
    layers.forEach((l) => {
      const tr = document.createElement('tr');
      [l.index + ' ' + l.shape, l.ops.rowAdds, l.ops.zeroInputsSkipped, l.ops.inputsSkippedEarly, l.ops.stepsSaved, l.ops.leakUpdates, l.ops.partials, l.ops.clippedPartials].forEach((v) => {
        const td = document.createElement('td');
        td.textContent = typeof v === 'number' ? v.toFixed(1) : v;
        tr.appendChild(td);
      });
      table.appendChild(tr);
    });
    container.appendChild(table);
    note(container, 'Means per inference over ' + data.profile.inputs.samples + ' test inputs (crossbar cells: row adds x outputs per row).');
    return true;
  }

  // RV32IMC instruction counts (npm run device-bench) with the board's time estimate.
  function deviceRows(d) {
    if (!d) return [];
    if (d.status !== 'measured') return [['RV32IMC instructions', 'not measured: ' + d.hint]];
    const ms = (v) => (v >= 1000 ? (v / 1000).toFixed(1) + ' s' : v >= 10 ? v.toFixed(0) + ' ms' : v.toFixed(2) + ' ms');
    const rows = d.rows.map((r) => ['RV32IMC ' + r.label, r.instructions.toLocaleString() + ' instructions' +
      (r.time ? ', est. ' + ms(r.time.minMs) + ' - ' + ms(r.time.maxMs) + ' at ' + d.clockMHz + ' MHz' : '')]);
    rows.push(['device time basis', (d.cpi ? 'estimate: instructions x CPI ' + d.cpi.min + '-' + d.cpi.max + ' / clock (' + d.cpi.basis + ')' : 'no CPI range for this board') +
      '; ' + (d.nativeKernels ? 'native kernels' : 'TypeScript kernels') + (d.staleRuntime ? '; runtime changed since the measurement' : '')]);
    return rows;
  }

  function drawProfile(container) {
    const p = data.profile;
    const kib = (b) => (b / 1024).toFixed(1) + ' KiB';
    const rows = [
      ['device', p.device + (p.fits ? ' (fits)' : ' (DOES NOT FIT)')],
      ['model', kib(p.modelBytes) + ', ' + p.weights.toLocaleString() + ' weights, ' + p.bytesPerWeight.toFixed(3) + ' bytes/weight'],
      ['runtime module', kib(p.runtimeBytes) + ' (' + kib(p.runtimeMinifiedBytes) + ' minified)'],
      ['flash', kib(p.fit.flash.used) + ' of ' + kib(p.fit.flash.budget)],
      ['RAM (chunk)', kib(p.fit.ram.used) + ' of ' + kib(p.fit.ram.budget) + ' (scratch ' + kib(p.scratchBytes) + ', measured in XS ' + kib(p.xsMemory.networkChunkBytes) + ')'],
      ['XS slots', p.fit.slots.used + ' of ' + p.fit.slots.budget + ' (network ' + p.xsMemory.networkSlots + ', one inference ' + p.xsMemory.inferenceSlots + ')'],
      ['XS compute / inference', 'median ' + Math.round(p.xsComputeMedian).toLocaleString() + ', p99 ' + Math.round(p.xsComputeP99).toLocaleString() + ' (' + p.inputs.xsSamples + ' inputs)'],
      ['host XS time', p.xsHostMsMedian.toFixed(3) + ' ms median (xsnap on the host that wrote this report)'],
      ['device time', p.deviceEstimate ? p.deviceEstimate.msMedian.toFixed(2) + ' ms median (' + p.deviceEstimate.label + ')' : 'not estimated'],
      ['early exit', pct(p.stoppedEarlyFraction) + ' of inputs'],
      ['Node and XS agree', p.enginesAgree ? 'yes' : 'NO'],
    ].concat(deviceRows(data.device));
    const table = document.createElement('table');
    table.setAttribute('data-chart', 'profile');
    rows.forEach((r) => {
      const tr = document.createElement('tr');
      const th = document.createElement('th');
      th.textContent = r[0];
      const td = document.createElement('td');
      td.textContent = r[1];
      tr.appendChild(th);
      tr.appendChild(td);
      table.appendChild(tr);
    });
    container.appendChild(table);
    return true;
  }

  function drawMacro(container) {
    const m = data.macro;
    if (!m) {
      note(container, 'No compute-in-memory macro profile was requested.');
      return false;
    }
    const colors = ['#1f77b4', '#ff7f0e', '#2ca02c', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#bcbd22'];
    const h3 = document.createElement('h3');
    h3.textContent = m.arrays + ' arrays on ' + m.device + ' (' + pct(m.utilisation) + ' of their cells used); each square is one array, coloured by layer';
    container.appendChild(h3);
    const size = 12, perLine = 40, L = 10, T = 8;
    const lines = Math.ceil(m.arrays / perLine);
    const s = svg(container, 'macro', L + perLine * size + 200, T + lines * size + 10 + m.layers.length * 16);
    m.layers.forEach((l, k) => {
      const color = colors[k % colors.length];
      for (let a = 0; a < l.arrays; a++) {
        const id = l.firstArray + a;
        const r = el('rect', { x: L + (id % perLine) * size, y: T + Math.floor(id / perLine) * size, width: size - 2, height: size - 2, fill: color, 'data-array': id }, s);
        el('title', {}, r).textContent = 'array ' + id + ': layer ' + l.index + ', row group ' + Math.floor(a / l.columnTiles) + ', column tile ' + (a % l.columnTiles);
      }
      const y = T + lines * size + 10 + k * 16;
      el('rect', { x: L, y: y, width: 10, height: 10, fill: color }, s);
      text(s, L + 14, y + 9, 'layer ' + l.index + ' ' + l.shape + ': ' + l.rowGroups + ' row groups x ' + l.columnTiles + ' column tiles = ' + l.arrays + ' arrays, ' + pct(l.utilisation) + ' of cells');
    });
    const BL = Math.max(150, labelWidth(m.layers)), W = BL + 410, rowH = 44;
    const e = svg(container, 'macro-energy', W, 10 + m.layers.length * rowH + 10);
    const max = Math.max.apply(null, m.layers.map((l) => l.energyDenseJ).concat([1e-30]));
    const nj = (j) => (j * 1e9).toPrecision(3) + ' nJ';
    m.layers.forEach((l, k) => {
      const y = 10 + k * rowH;
      text(e, 0, y + 14, 'layer ' + l.index + ' ' + l.shape);
      el('rect', { x: BL, y: y, width: ((W - BL - 10) * l.energyDenseJ) / max, height: 16, fill: '#bbb', 'data-energy': 'dense' }, e);
      el('rect', { x: BL, y: y + 18, width: Math.max(1, ((W - BL - 10) * l.energySpikingJ) / max), height: 16, fill: '#2ca02c', 'data-energy': 'spiking' }, e);
      text(e, BL + 4, y + 12, 'dense-equivalent ' + nj(l.energyDenseJ), { 'font-size': 10 });
      text(e, BL + 4, y + 30, 'spiking rows ' + nj(l.energySpikingJ), { 'font-size': 10 });
    });
    const us = (sec) => (sec * 1e6).toPrecision(3) + ' us';
    note(container, 'Energy per inference by layer (' + m.label + '). Total ' + nj(m.energySpikingJ) + ' for the rows that spike, ' + nj(m.energyDenseJ) +
      ' dense-equivalent; latency ' + us(m.latencySeconds) + ' (' + m.timeSteps + ' time steps; ' + us(m.latencyEarlySeconds) + ' with early termination); area ' +
      m.areaMm2.toFixed(3) + ' mm2. ' + (m.runsAsTrained ? 'Every layer runs in macro mode as trained.' : 'Some layers do not run as the macro computes: see tempo-cim profile --device ' + m.device + '.'));
    return true;
  }

  const charts = [
    ['history', drawHistory], ['confusion', drawConfusion], ['raster', drawRasters],
    ['stall', drawStall], ['ops', drawOps], ['profile', drawProfile], ['macro', drawMacro],
  ];
  let drawn = 0;
  const failures = [];
  charts.forEach((c) => {
    try {
      if (c[1](section(c[0]))) drawn++;
    } catch (e) {
      failures.push(c[0] + ': ' + (e && e.message));
      note(section(c[0]), 'This chart failed to render: ' + (e && e.message));
    }
  });
  document.body.setAttribute('data-charts', String(drawn));
  document.body.setAttribute('data-rendered', failures.length ? 'error' : 'ok');
  if (failures.length) document.body.setAttribute('data-errors', failures.join('; '));
})();
