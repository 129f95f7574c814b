/**
 * A float MLP as ONNX model bytes, written with a minimal protobuf encoder (no converter, no
 * download): x[1, n0] -> Gemm -> Relu -> ... -> Gemm -> y[1, nL]. Field numbers follow onnx.proto
 * (ModelProto, GraphProto, NodeProto, TensorProto, ValueInfoProto).
 */

export interface FloatLayer {
  inputs: number;
  outputs: number;
  /** inputs x outputs, row-major by input (the Gemm B operand, transB = 0). */
  weights: Float32Array;
  bias: Float32Array;
}

class Writer {
  private chunks: number[] = [];
  varint(value: number): this {
    let v = value;
    while (v > 0x7f) {
      this.chunks.push((v & 0x7f) | 0x80);
      v = Math.floor(v / 128);
    }
    this.chunks.push(v);
    return this;
  }
  tag(field: number, wire: number): this {
    return this.varint(field * 8 + wire);
  }
  int(field: number, value: number): this {
    return this.tag(field, 0).varint(value);
  }
  bytes(field: number, data: Uint8Array): this {
    this.tag(field, 2).varint(data.length);
    for (const b of data) this.chunks.push(b);
    return this;
  }
  string(field: number, text: string): this {
    return this.bytes(field, new TextEncoder().encode(text));
  }
  message(field: number, inner: Writer): this {
    return this.bytes(field, inner.finish());
  }
  finish(): Uint8Array {
    return Uint8Array.from(this.chunks);
  }
}

const FLOAT = 1;

function tensor(name: string, dims: number[], values: Float32Array): Writer {
  const t = new Writer();
  for (const d of dims) t.int(1, d);
  t.int(2, FLOAT).string(8, name);
  return t.bytes(9, new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
}

function valueInfo(name: string, dims: number[]): Writer {
  const shape = new Writer();
  for (const d of dims) shape.message(1, new Writer().int(1, d));
  const tensorType = new Writer().int(1, FLOAT).message(2, shape);
  return new Writer().string(1, name).message(2, new Writer().message(1, tensorType));
}

function node(op: string, inputs: string[], output: string): Writer {
  const n = new Writer();
  for (const i of inputs) n.string(1, i);
  return n.string(2, output).string(3, `${op}_${output}`).string(4, op);
}

/** ONNX bytes (IR version 8, opset 13) for the MLP; input 'x', output 'y'. */
export function onnxMlp(layers: FloatLayer[]): Uint8Array {
  const graph = new Writer();
  let current = 'x';
  layers.forEach((layer, k) => {
    const last = k === layers.length - 1;
    const gemmOut = last ? 'y' : `h${k}`;
    graph.message(1, node('Gemm', [current, `W${k}`, `b${k}`], gemmOut));
    current = gemmOut;
    if (!last) {
      graph.message(1, node('Relu', [current], `r${k}`));
      current = `r${k}`;
    }
  });
  graph.string(2, 'tempo-cim-bench-mlp');
  layers.forEach((layer, k) => {
    graph.message(5, tensor(`W${k}`, [layer.inputs, layer.outputs], layer.weights));
    graph.message(5, tensor(`b${k}`, [layer.outputs], layer.bias));
  });
  graph.message(11, valueInfo('x', [1, layers[0].inputs]));
  graph.message(12, valueInfo('y', [1, layers[layers.length - 1].outputs]));
  const opset = new Writer().string(1, '').int(2, 13);
  return new Writer().int(1, 8).string(2, 'tempo-cim-bench').message(7, graph).message(8, opset).finish();
}
