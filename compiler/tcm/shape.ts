/**
 * One line naming a loaded layer's geometry: `long` for inspect, `compact` for the profile tables
 * (e.g. `784->256`, `10x30->3x40 k5s2`, `28x28x1->12x12x16 k5s1p0 pool2`).
 */
import type { Layer } from '../../runtime/model.ts';

export function layerShape(layer: Layer, style: 'long' | 'compact' = 'long'): string {
  const arrow = style === 'long' ? ' -> ' : '->';
  if (layer.kind === 'dense') return `${layer.inChannels}${arrow}${layer.outChannels}`;
  const k = layer.kernel;
  if (layer.grid) {
    const g = layer.grid;
    const io = `${g.inHeight}x${g.inWidth}x${layer.inChannels}${arrow}${(g.convHeight / g.pool) | 0}x${(g.convWidth / g.pool) | 0}x${layer.outChannels}`;
    if (style === 'compact') return `${io} k${k}s${layer.stride}p${g.padding}${g.pool > 1 ? ` pool${g.pool}` : ''}`;
    const pool = g.pool > 1 ? `, spike-time max pool ${g.pool}x${g.pool}` : '';
    return `${io} (kernel ${k}x${k}, stride ${layer.stride}, padding ${g.padding}: ${g.convHeight}x${g.convWidth} positions${pool})`;
  }
  const io = `${layer.inFrames}x${layer.inChannels}${arrow}${layer.outFrames}x${layer.outChannels}`;
  return style === 'compact' ? `${io} k${k}s${layer.stride}` : `${io} (kernel ${k}, stride ${layer.stride})`;
}
