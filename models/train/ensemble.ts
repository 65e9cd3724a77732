/**
 * Merges E equally shaped MLPs into ONE wider MLP whose output is softmax(mean of the members'
 * logits): layer 1 weights side by side, inner layers block-diagonal, last layer stacked and divided
 * by E. Averaging a few seeds removes ~1 point of seed-to-seed variance in CV accuracy (see
 * models/README.md), and the merged net is still just MatMul/Add/Relu/Softmax, so the ONNX export
 * and onnxruntime path stay those of a plain MLP.
 */
import type { Mlp } from './mlp.js';

export function mergeEnsemble(members: readonly Mlp[]): Mlp {
  const first = members[0];
  if (!first) throw new Error('mergeEnsemble: no members');
  const E = members.length;
  const sizes = first.sizes;
  for (const m of members) {
    if (m.sizes.join() !== sizes.join()) throw new Error(`mergeEnsemble: member sizes ${m.sizes} differ from ${sizes}`);
  }
  const L = sizes.length - 1;
  const merged: Mlp = { sizes: sizes.map((s, l) => (l === 0 || l === L ? s : s * E)), W: [], b: [] };
  for (let l = 0; l < L; l++) {
    const inW = sizes[l] as number;
    const outW = sizes[l + 1] as number;
    const firstLayer = l === 0;
    const lastLayer = l === L - 1;
    const mIn = firstLayer ? inW : inW * E;
    const mOut = lastLayer ? outW : outW * E;
    const W = new Float64Array(mIn * mOut);
    const b = new Float64Array(mOut);
    members.forEach((m, e) => {
      const w = m.W[l] as Float64Array;
      const bias = m.b[l] as Float64Array;
      const rowOff = firstLayer ? 0 : e * inW;
      const colOff = lastLayer ? 0 : e * outW;
      const scale = lastLayer ? 1 / E : 1;
      for (let k = 0; k < inW; k++) {
        for (let j = 0; j < outW; j++) {
          const idx = (rowOff + k) * mOut + colOff + j;
          W[idx] = (W[idx] as number) + scale * (w[k * outW + j] as number);
        }
      }
      for (let j = 0; j < outW; j++) b[colOff + j] = (b[colOff + j] as number) + scale * (bias[j] as number);
    });
    merged.W.push(W);
    merged.b.push(b);
  }
  return merged;
}
