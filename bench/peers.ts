/**
 * The peer libraries, loaded from bench/node_modules at run time. They are imported by a computed
 * specifier so the root typecheck (which does not install them) never resolves their types; the
 * small interfaces below cover exactly what the benchmarks call.
 */
export interface TfTensor {
  dataSync(): Float32Array;
  dispose(): void;
}

export interface TfLayersModel {
  compile(config: { optimizer: unknown; loss: string }): void;
  fit(x: TfTensor, y: TfTensor, config: { batchSize: number; epochs: number; shuffle: boolean; verbose: number }): Promise<unknown>;
  save(handler: unknown): Promise<unknown>;
}

export interface Tf {
  setBackend(name: string): Promise<boolean>;
  ready(): Promise<void>;
  getBackend(): string;
  version: Record<string, string>;
  tensor2d(values: Float32Array, shape: [number, number]): TfTensor;
  tensor1d(values: Float32Array): TfTensor;
  tidy<T>(fn: () => T): T;
  matMul(a: TfTensor, b: TfTensor): TfTensor;
  add(a: TfTensor, b: TfTensor): TfTensor;
  relu(a: TfTensor): TfTensor;
  sequential(config?: unknown): TfLayersModel & { add(layer: unknown): void };
  layers: { dense(config: Record<string, unknown>): unknown };
  train: { adam(lr: number): unknown };
  io: { withSaveHandler(fn: (artifacts: { weightData?: ArrayBuffer | ArrayBuffer[]; modelTopology?: unknown; weightSpecs?: unknown }) => Promise<unknown>): unknown };
  env(): { set(flag: string, value: unknown): void };
}

export interface OrtTensor {
  data: Float32Array;
}

export interface OrtSession {
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}

export interface Ort {
  InferenceSession: { create(model: Uint8Array, options?: Record<string, unknown>): Promise<OrtSession> };
  Tensor: new (type: 'float32', data: Float32Array, dims: number[]) => OrtTensor;
  env: { versions?: Record<string, string> };
}

async function load<T>(specifier: string): Promise<T> {
  const module = (await import(specifier)) as { default?: unknown };
  return (module.default ?? module) as T;
}

/** TensorFlow.js with the WebAssembly backend selected and ready. */
export async function loadTfWasm(): Promise<Tf> {
  const name = '@tensorflow/tfjs';
  const tf = await load<Tf>(name);
  await import('@tensorflow/tfjs-backend-wasm' as string);
  if (!(await tf.setBackend('wasm'))) throw new Error('TensorFlow.js could not select the wasm backend');
  await tf.ready();
  return tf;
}

export async function loadOrt(): Promise<Ort> {
  return load<Ort>('onnxruntime-node');
}
