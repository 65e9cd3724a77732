/**
 * Random forest (bagged CART trees with random feature subsets); probabilities are the mean of the
 * trees' leaf class distributions (as scikit-learn does), which an ONNX TreeEnsembleClassifier with
 * class weights p/T and post_transform NONE reproduces.
 */
import { trainTree, treeLeafValue, type Tree, type TreeOptions } from './cart.js';
import { deriveSeed, mulberry32, randInt } from '../contract/prng.js';

interface ForestOptions extends Partial<TreeOptions> {
  trees: number;
  seed: number;
}

export interface Forest {
  numFeatures: number;
  numClasses: number;
  trees: Tree[];
}

export function trainForest(X: Float32Array, y: Int32Array, n: number, F: number, C: number, o: ForestOptions): Forest {
  const treeOpts: TreeOptions = {
    maxDepth: o.maxDepth ?? 30,
    minSamplesLeaf: o.minSamplesLeaf ?? 1,
    maxFeatures: o.maxFeatures ?? Math.max(1, Math.round(Math.sqrt(F))),
  };
  const trees: Tree[] = [];
  for (let t = 0; t < o.trees; t++) {
    const rng = mulberry32(deriveSeed(o.seed, t));
    const boot = Int32Array.from({ length: n }, () => randInt(rng, n));
    trees.push(trainTree(X, F, y, C, boot, treeOpts, rng));
  }
  return { numFeatures: F, numClasses: C, trees };
}

export function forestPredictProba(f: Forest, X: Float32Array, n: number): Float64Array {
  const C = f.numClasses;
  const out = new Float64Array(n * C);
  for (let i = 0; i < n; i++) {
    for (const t of f.trees) {
      const v = treeLeafValue(t, X, i * f.numFeatures);
      for (let c = 0; c < C; c++) out[i * C + c] = (out[i * C + c] as number) + (v[c] as number);
    }
    for (let c = 0; c < C; c++) out[i * C + c] = (out[i * C + c] as number) / f.trees.length;
  }
  return out;
}
