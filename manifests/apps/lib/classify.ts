/**
 * One classifier over the model resource: the network, its input-code buffer, and how a stored
 * record becomes codes (image pixels through encodeImage, audio records are codes already).
 */
import Resource from "Resource";
import native from "tempo-cim-native";
import { createNetwork, encodeImage, loadModel, type InferenceResult, type Model, type Network } from "tempo-cim-runtime";
import { KIND_PIXELS } from "./vectors";

export interface Classifier {
  model: Model;
  network: Network;
  codes: Uint8Array;
  classify(record: Uint8Array, kind: number, earlyExit: boolean): InferenceResult;
}

export function openClassifier(resourceName: string, budgetBytes: number): Classifier {
  // The native kernels check the model and run every layer in C (same results as the TypeScript ones).
  const model = loadModel(new Resource(resourceName), { native });
  const network = createNetwork(model, { budgetBytes });
  const codes = new Uint8Array(network.inputLength);
  const input = model.input;
  return {
    model,
    network,
    codes,
    classify(record, kind, earlyExit) {
      if (kind === KIND_PIXELS) {
        if (input.kind !== "image") throw new Error("pixel vectors need an image model");
        encodeImage(input, record, codes, native);
        return network.infer(codes, { earlyExit });
      }
      return network.infer(record, { earlyExit });
    },
  };
}
