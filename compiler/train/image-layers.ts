/**
 * Layer stacks for images: conv2d layers (each followed by spike-time max pooling) over the
 * side x side code image, then the dense hidden layers and the classifier.
 */
import { type LayerShape, conv2dShape, denseShape } from './net.ts';

export interface ConvLayerChoice {
  outChannels: number;
  kernel: number;
}

export type Padding = 'same' | 'valid';

/** Throws an Error saying which layer does not fit (kernel larger than its input, map smaller than the pool). */
export function imageLayers(side: number, convs: ConvLayerChoice[], pool: number, padding: Padding, hidden: number[], classes: number): LayerShape[] {
  const layers: LayerShape[] = [];
  let height = side;
  let width = side;
  let channels = 1;
  for (const [i, { outChannels, kernel }] of convs.entries()) {
    const pad = padding === 'same' ? Math.floor((kernel - 1) / 2) : 0;
    let layer: LayerShape;
    try {
      layer = conv2dShape(height, width, channels, kernel, 1, pad, pool, outChannels);
    } catch (e) {
      throw new Error(`conv layer ${i + 1} (${outChannels}c${kernel}) on a ${height}x${width} input: ${(e as Error).message.replace(/^conv2d: /, '')}`);
    }
    layers.push(layer);
    height = Math.floor(layer.grid!.convHeight / pool);
    width = Math.floor(layer.grid!.convWidth / pool);
    channels = outChannels;
  }
  const sizes = [height * width * channels, ...hidden, classes];
  for (let i = 0; i + 1 < sizes.length; i++) layers.push(denseShape(sizes[i], sizes[i + 1]));
  return layers;
}
