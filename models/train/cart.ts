/**
 * CART classification tree (Gini impurity, binary splits "x[f] <= threshold"), the building block of
 * the random-forest baseline. Hand-written because no JS library is deterministic under a seed and
 * exports its nodes in a form we can write as an ONNX TreeEnsembleClassifier.
 *
 * Thresholds are actual float32 sample values (the largest value that goes left), not midpoints:
 * then the float32 comparison onnxruntime makes sends every training sample the same way as here.
 */
import { randInt, type Rng } from '../contract/prng.js';

export interface Tree {
  /** Per node: split feature, or -1 for a leaf. */
  feature: number[];
  threshold: number[];
  left: number[];
  right: number[];
  /** Per node: class probabilities (only meaningful for leaves), numClasses values each. */
  value: number[][];
}

export interface TreeOptions {
  maxDepth: number;
  minSamplesLeaf: number;
  /** Number of features tried at each split (random subset, without replacement). */
  maxFeatures: number;
}

export function trainTree(
  X: Float32Array,
  F: number,
  y: Int32Array,
  C: number,
  sampleIdx: Int32Array,
  o: TreeOptions,
  rng: Rng,
): Tree {
  const tree: Tree = { feature: [], threshold: [], left: [], right: [], value: [] };
  const idx = sampleIdx.slice();
  const featurePool = Int32Array.from({ length: F }, (_, i) => i);
  const vals = new Float64Array(idx.length);
  const order: number[] = [];

  const grow = (lo: number, hi: number, depth: number): number => {
    const node = tree.feature.length;
    const counts = new Array<number>(C).fill(0);
    for (let i = lo; i < hi; i++) counts[y[idx[i] as number] as number]!++;
    const n = hi - lo;
    tree.feature.push(-1);
    tree.threshold.push(0);
    tree.left.push(-1);
    tree.right.push(-1);
    tree.value.push(counts.map((c) => c / n));
    const pure = counts.some((c) => c === n);
    if (pure || depth >= o.maxDepth || n < 2 * o.minSamplesLeaf) return node;

    let bestScore = -Infinity;
    let bestF = -1;
    let bestT = 0;
    // Partial Fisher-Yates draws maxFeatures distinct features.
    const m = Math.min(o.maxFeatures, F);
    for (let s = 0; s < m; s++) {
      const r = s + randInt(rng, F - s);
      const tmp = featurePool[s] as number;
      featurePool[s] = featurePool[r] as number;
      featurePool[r] = tmp;
      const f = featurePool[s] as number;

      order.length = 0;
      for (let i = lo; i < hi; i++) order.push(idx[i] as number);
      for (let i = 0; i < n; i++) vals[i] = X[(order[i] as number) * F + f] as number;
      const perm = Array.from({ length: n }, (_, i) => i).sort((a, b) => (vals[a] as number) - (vals[b] as number));
      const leftC = new Array<number>(C).fill(0);
      const rightC = counts.slice();
      let sumL2 = 0;
      let sumR2 = counts.reduce((a, c) => a + c * c, 0);
      for (let p = 0; p < n - 1; p++) {
        const i = perm[p] as number;
        const c = y[order[i] as number] as number;
        const l = leftC[c] as number;
        const r = rightC[c] as number;
        sumL2 += 2 * l + 1;
        sumR2 -= 2 * r - 1;
        leftC[c] = l + 1;
        rightC[c] = r - 1;
        const v = vals[i] as number;
        const vNext = vals[perm[p + 1] as number] as number;
        const nL = p + 1;
        const nR = n - nL;
        if (v === vNext || nL < o.minSamplesLeaf || nR < o.minSamplesLeaf) continue;
        // Maximising sum_c L_c^2/nL + sum_c R_c^2/nR minimises the weighted Gini of the children.
        const score = sumL2 / nL + sumR2 / nR;
        if (score > bestScore + 1e-12) {
          bestScore = score;
          bestF = f;
          bestT = v;
        }
      }
    }
    if (bestF < 0) return node;
    // Stop if the split does not lower impurity (score equals parent's sum c^2 / n).
    const parentScore = counts.reduce((a, c) => a + c * c, 0) / n;
    if (bestScore <= parentScore + 1e-12) return node;

    // Partition idx[lo, hi) so that samples with x <= bestT come first (stable, for determinism).
    const leftPart: number[] = [];
    const rightPart: number[] = [];
    for (let i = lo; i < hi; i++) {
      const s = idx[i] as number;
      ((X[s * F + bestF] as number) <= bestT ? leftPart : rightPart).push(s);
    }
    idx.set(leftPart, lo);
    idx.set(rightPart, lo + leftPart.length);
    tree.feature[node] = bestF;
    tree.threshold[node] = bestT;
    const mid = lo + leftPart.length;
    tree.left[node] = grow(lo, mid, depth + 1);
    tree.right[node] = grow(mid, hi, depth + 1);
    return node;
  };
  grow(0, idx.length, 0);
  return tree;
}

/** Leaf class probabilities for one row. */
export function treeLeafValue(t: Tree, x: ArrayLike<number>, offset: number): number[] {
  let node = 0;
  for (;;) {
    const f = t.feature[node] as number;
    if (f < 0) return t.value[node] as number[];
    node = (x[offset + f] as number) <= (t.threshold[node] as number) ? (t.left[node] as number) : (t.right[node] as number);
  }
}
