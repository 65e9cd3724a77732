/**
 * TempCNN (Pelletier, Webb & Petitjean 2019, "Temporal Convolutional Neural Network for the
 * Classification of Satellite Image Time Series"): 1-D convolutions over time, each followed by
 * batch normalisation, ReLU and dropout; the feature maps are flattened and go through a dense
 * layer (batch norm, ReLU, dropout) and a softmax layer.
 *
 * Hand-written like the MLP (models/train/mlp.ts) and for the same reasons: training must be
 * deterministic from a seed in one thread with no native download, and the data are tiny
 * (1 682 samples x 23 steps x 2 variables), so plain loops over Float64Arrays train a small TempCNN
 * in minutes. Convolutions use "same" zero padding and no bias (the batch norm that follows has
 * one); at export the batch norms are folded into the convolution and dense weights.
 *
 * Layouts: an input row is variable-major (v * T + t), which is exactly a [V, T] channels-first
 * sequence; activations are [B, channels, T]; flattening is channel-major (c * T + t), as ONNX's
 * Flatten of [N, C, T]. Conv weights are [out, in, K]; dense weights are [in, out].
 */
import { normal, type Rng } from '../contract/prng.js';

export interface TempCnnShape {
  variables: number;
  steps: number;
  /** Filters of each convolution layer, e.g. [16, 16]. */
  filters: number[];
  /** Kernel size (odd). */
  kernel: number;
  /** Width of the dense layer before the softmax layer. */
  dense: number;
  classes: number;
}

export interface BatchNorm {
  gamma: Float64Array;
  beta: Float64Array;
  runMean: Float64Array;
  runVar: Float64Array;
}

export interface TempCnn {
  shape: TempCnnShape;
  /** Conv weights [out, in, K], no bias (the batch norm's beta is the bias). */
  conv: { W: Float64Array; bn: BatchNorm }[];
  /** Dense layer [filters_last * T, dense], no bias, then batch norm. */
  fc: { W: Float64Array; bn: BatchNorm };
  /** Softmax layer [dense, classes] + bias. */
  out: { W: Float64Array; b: Float64Array };
}

const BN_EPS = 1e-5;
const BN_MOMENTUM = 0.1;

function newBn(c: number): BatchNorm {
  return { gamma: new Float64Array(c).fill(1), beta: new Float64Array(c), runMean: new Float64Array(c), runVar: new Float64Array(c).fill(1) };
}

/** He-normal initialisation (suits ReLU). */
export function initTempCnn(shape: TempCnnShape, rng: Rng): TempCnn {
  const { variables: V, steps: T, filters, kernel: K, dense: H, classes: C } = shape;
  if (K % 2 !== 1) throw new Error(`TempCNN kernel must be odd, got ${K}`);
  const he = (fanIn: number, count: number): Float64Array => {
    const s = Math.sqrt(2 / fanIn);
    return Float64Array.from({ length: count }, () => normal(rng) * s);
  };
  let cin = V;
  const conv = filters.map((f) => {
    const layer = { W: he(cin * K, f * cin * K), bn: newBn(f) };
    cin = f;
    return layer;
  });
  return {
    shape: { ...shape, filters: [...filters] },
    conv,
    fc: { W: he(cin * T, cin * T * H), bn: newBn(H) },
    out: { W: he(H, H * C).map((x) => x / Math.SQRT2), b: new Float64Array(C) },
  };
}

/** Parameter arrays in a fixed order, as the optimiser sees them (running statistics are not parameters). */
export function tempCnnParameters(m: TempCnn): Float64Array[] {
  return [...m.conv.flatMap((c) => [c.W, c.bn.gamma, c.bn.beta]), m.fc.W, m.fc.bn.gamma, m.fc.bn.beta, m.out.W, m.out.b];
}

/** Weight decay applies to the weights only, not to batch-norm scales/shifts or biases. */
export function tempCnnDecayMask(m: TempCnn, decay: number): number[] {
  return [...m.conv.flatMap(() => [decay, 0, 0]), decay, 0, 0, decay, 0];
}

/** out[b, co, t] = sum_ci,k W[co, ci, k] * x[b, ci, t + k - K/2] (zero padding). */
function conv1d(x: Float64Array, B: number, cin: number, T: number, W: Float64Array, cout: number, K: number): Float64Array {
  const out = new Float64Array(B * cout * T);
  const half = (K - 1) / 2;
  for (let b = 0; b < B; b++) {
    const xb = b * cin * T;
    const ob = b * cout * T;
    for (let co = 0; co < cout; co++) {
      const orow = ob + co * T;
      for (let ci = 0; ci < cin; ci++) {
        const xrow = xb + ci * T;
        const wrow = (co * cin + ci) * K;
        for (let k = 0; k < K; k++) {
          const w = W[wrow + k] as number;
          const shift = k - half;
          const t0 = Math.max(0, -shift);
          const t1 = Math.min(T, T - shift);
          for (let t = t0; t < t1; t++) out[orow + t] = (out[orow + t] as number) + w * (x[xrow + t + shift] as number);
        }
      }
    }
  }
  return out;
}

/** Gradients of conv1d: dW (accumulated) and dx. */
function conv1dBackward(
  x: Float64Array,
  dOut: Float64Array,
  B: number,
  cin: number,
  T: number,
  W: Float64Array,
  cout: number,
  K: number,
  needDx: boolean,
): { dW: Float64Array; dx: Float64Array | null } {
  const dW = new Float64Array(W.length);
  const dx = needDx ? new Float64Array(B * cin * T) : null;
  const half = (K - 1) / 2;
  for (let b = 0; b < B; b++) {
    const xb = b * cin * T;
    const ob = b * cout * T;
    for (let co = 0; co < cout; co++) {
      const orow = ob + co * T;
      for (let ci = 0; ci < cin; ci++) {
        const xrow = xb + ci * T;
        const wrow = (co * cin + ci) * K;
        for (let k = 0; k < K; k++) {
          const shift = k - half;
          const t0 = Math.max(0, -shift);
          const t1 = Math.min(T, T - shift);
          let g = 0;
          for (let t = t0; t < t1; t++) g += (dOut[orow + t] as number) * (x[xrow + t + shift] as number);
          dW[wrow + k] = (dW[wrow + k] as number) + g;
          if (dx) {
            const w = W[wrow + k] as number;
            for (let t = t0; t < t1; t++) dx[xrow + t + shift] = (dx[xrow + t + shift] as number) + w * (dOut[orow + t] as number);
          }
        }
      }
    }
  }
  return { dW, dx };
}

/** x[B, inW] @ W[inW, outW] (+ bias). */
function matmul(x: Float64Array, B: number, inW: number, W: Float64Array, outW: number, bias?: Float64Array): Float64Array {
  const out = new Float64Array(B * outW);
  for (let i = 0; i < B; i++) {
    const o = i * outW;
    if (bias) for (let j = 0; j < outW; j++) out[o + j] = bias[j] as number;
    for (let k = 0; k < inW; k++) {
      const a = x[i * inW + k] as number;
      if (a === 0) continue;
      const w = k * outW;
      for (let j = 0; j < outW; j++) out[o + j] = (out[o + j] as number) + a * (W[w + j] as number);
    }
  }
  return out;
}

interface BnCache {
  xhat: Float64Array;
  invStd: Float64Array;
}

/**
 * Batch norm over channels c of z laid out [B, C, S] (S = T for convolutions, 1 for the dense
 * layer), in place. Training: batch statistics (and running averages updated); else running ones.
 */
function batchNorm(z: Float64Array, B: number, C: number, S: number, bn: BatchNorm, training: boolean): BnCache | null {
  const M = B * S;
  const xhat = training ? new Float64Array(z.length) : null;
  const invStd = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    let mean: number;
    let v: number;
    if (training) {
      let s = 0;
      for (let b = 0; b < B; b++) for (let t = 0; t < S; t++) s += z[(b * C + c) * S + t] as number;
      mean = s / M;
      let ss = 0;
      for (let b = 0; b < B; b++) {
        for (let t = 0; t < S; t++) {
          const d = (z[(b * C + c) * S + t] as number) - mean;
          ss += d * d;
        }
      }
      v = ss / M;
      bn.runMean[c] = (1 - BN_MOMENTUM) * (bn.runMean[c] as number) + BN_MOMENTUM * mean;
      bn.runVar[c] = (1 - BN_MOMENTUM) * (bn.runVar[c] as number) + BN_MOMENTUM * (M > 1 ? (ss / (M - 1)) : v);
    } else {
      mean = bn.runMean[c] as number;
      v = bn.runVar[c] as number;
    }
    const is = 1 / Math.sqrt(v + BN_EPS);
    invStd[c] = is;
    const g = bn.gamma[c] as number;
    const be = bn.beta[c] as number;
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < S; t++) {
        const i = (b * C + c) * S + t;
        const xh = ((z[i] as number) - mean) * is;
        if (xhat) xhat[i] = xh;
        z[i] = g * xh + be;
      }
    }
  }
  return xhat ? { xhat, invStd } : null;
}

/** dz from dy through a training-mode batch norm; dgamma, dbeta accumulated. */
function batchNormBackward(dy: Float64Array, B: number, C: number, S: number, bn: BatchNorm, cache: BnCache): { dz: Float64Array; dgamma: Float64Array; dbeta: Float64Array } {
  const M = B * S;
  const dz = new Float64Array(dy.length);
  const dgamma = new Float64Array(C);
  const dbeta = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    let sdy = 0;
    let sdyx = 0;
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < S; t++) {
        const i = (b * C + c) * S + t;
        sdy += dy[i] as number;
        sdyx += (dy[i] as number) * (cache.xhat[i] as number);
      }
    }
    dgamma[c] = sdyx;
    dbeta[c] = sdy;
    const g = bn.gamma[c] as number;
    const k = (g * (cache.invStd[c] as number)) / M;
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < S; t++) {
        const i = (b * C + c) * S + t;
        dz[i] = k * (M * (dy[i] as number) - sdy - (cache.xhat[i] as number) * sdyx);
      }
    }
  }
  return { dz, dgamma, dbeta };
}

/** ReLU then inverted dropout in place; returns the mask (scale per element, 0 where dropped or negative). */
function reluDropout(a: Float64Array, rate: number, rng: Rng | null): Float64Array {
  const mask = new Float64Array(a.length);
  const keep = 1 - rate;
  for (let i = 0; i < a.length; i++) {
    const m = (a[i] as number) > 0 ? (rng && rate > 0 ? (rng() < keep ? 1 / keep : 0) : 1) : 0;
    mask[i] = m;
    a[i] = (a[i] as number) * m;
  }
  return mask;
}

interface ForwardCache {
  inputs: Float64Array[];
  bn: BnCache[];
  masks: Float64Array[];
  fcIn: Float64Array;
  fcBn: BnCache;
  fcMask: Float64Array;
  hidden: Float64Array;
  probs: Float64Array;
}

function softmaxInPlace(z: Float64Array, B: number, C: number): Float64Array {
  for (let i = 0; i < B; i++) {
    let max = -Infinity;
    for (let j = 0; j < C; j++) max = Math.max(max, z[i * C + j] as number);
    let s = 0;
    for (let j = 0; j < C; j++) {
      const e = Math.exp((z[i * C + j] as number) - max);
      z[i * C + j] = e;
      s += e;
    }
    for (let j = 0; j < C; j++) z[i * C + j] = (z[i * C + j] as number) / s;
  }
  return z;
}

/** Training forward pass (batch statistics, dropout drawn from rng), keeping what backward needs. */
function forwardTrain(m: TempCnn, x: Float64Array, B: number, dropout: number, rng: Rng): ForwardCache {
  const { variables: V, steps: T, kernel: K, dense: H, classes: C } = m.shape;
  const inputs: Float64Array[] = [];
  const bns: BnCache[] = [];
  const masks: Float64Array[] = [];
  let a = x;
  let cin = V;
  for (const layer of m.conv) {
    const cout = layer.bn.gamma.length;
    inputs.push(a);
    const z = conv1d(a, B, cin, T, layer.W, cout, K);
    bns.push(batchNorm(z, B, cout, T, layer.bn, true) as BnCache);
    masks.push(reluDropout(z, dropout, rng));
    a = z;
    cin = cout;
  }
  const fcIn = a;
  const h = matmul(fcIn, B, cin * T, m.fc.W, H);
  const fcBn = batchNorm(h, B, H, 1, m.fc.bn, true) as BnCache;
  const fcMask = reluDropout(h, dropout, rng);
  const probs = softmaxInPlace(matmul(h, B, H, m.out.W, C, m.out.b), B, C);
  return { inputs, bn: bns, masks, fcIn, fcBn, fcMask, hidden: h, probs };
}

/** Class probabilities [n, classes] in inference mode (running statistics, no dropout). */
export function predictTempCnn(m: TempCnn, X: ArrayLike<number>, n: number): Float64Array {
  const { variables: V, steps: T, kernel: K, dense: H, classes: C } = m.shape;
  let a = X instanceof Float64Array ? X : Float64Array.from(X);
  let cin = V;
  for (const layer of m.conv) {
    const cout = layer.bn.gamma.length;
    const z = conv1d(a, n, cin, T, layer.W, cout, K);
    batchNorm(z, n, cout, T, layer.bn, false);
    for (let i = 0; i < z.length; i++) if ((z[i] as number) < 0) z[i] = 0;
    a = z;
    cin = cout;
  }
  const h = matmul(a, n, cin * T, m.fc.W, H);
  batchNorm(h, n, H, 1, m.fc.bn, false);
  for (let i = 0; i < h.length; i++) if ((h[i] as number) < 0) h[i] = 0;
  return softmaxInPlace(matmul(h, n, H, m.out.W, C, m.out.b), n, C);
}

/**
 * One training step's gradients (in tempCnnParameters order) of the weighted mean cross-entropy
 * sum(w_i * ce_i) / sum(w_i), with the batch's loss.
 */
export function tempCnnGradients(
  m: TempCnn,
  x: Float64Array,
  y: ArrayLike<number>,
  sampleWeight: ArrayLike<number>,
  B: number,
  dropout: number,
  rng: Rng,
): { grads: Float64Array[]; loss: number } {
  const { variables: V, steps: T, kernel: K, dense: H, classes: C } = m.shape;
  const f = forwardTrain(m, x, B, dropout, rng);
  let wsum = 0;
  for (let i = 0; i < B; i++) wsum += sampleWeight[i] as number;
  let loss = 0;
  const dLogits = new Float64Array(B * C);
  for (let i = 0; i < B; i++) {
    const w = (sampleWeight[i] as number) / wsum;
    const yi = y[i] as number;
    loss -= w * Math.log(Math.max(f.probs[i * C + yi] as number, 1e-12));
    for (let j = 0; j < C; j++) dLogits[i * C + j] = w * ((f.probs[i * C + j] as number) - (j === yi ? 1 : 0));
  }
  // Softmax layer.
  const dOutW = new Float64Array(H * C);
  const dOutB = new Float64Array(C);
  const dh = new Float64Array(B * H);
  for (let i = 0; i < B; i++) {
    for (let j = 0; j < C; j++) dOutB[j] = (dOutB[j] as number) + (dLogits[i * C + j] as number);
    for (let k = 0; k < H; k++) {
      const a = f.hidden[i * H + k] as number;
      let s = 0;
      for (let j = 0; j < C; j++) {
        const d = dLogits[i * C + j] as number;
        if (a !== 0) dOutW[k * C + j] = (dOutW[k * C + j] as number) + a * d;
        s += d * (m.out.W[k * C + j] as number);
      }
      dh[i * H + k] = s * (f.fcMask[i * H + k] as number);
    }
  }
  // Dense layer + its batch norm.
  const fcBack = batchNormBackward(dh, B, H, 1, m.fc.bn, f.fcBn);
  const inW = f.fcIn.length / B;
  const dFcW = new Float64Array(inW * H);
  let da: Float64Array = new Float64Array(B * inW);
  for (let i = 0; i < B; i++) {
    for (let k = 0; k < inW; k++) {
      const a = f.fcIn[i * inW + k] as number;
      let s = 0;
      for (let j = 0; j < H; j++) {
        const d = fcBack.dz[i * H + j] as number;
        if (a !== 0) dFcW[k * H + j] = (dFcW[k * H + j] as number) + a * d;
        s += d * (m.fc.W[k * H + j] as number);
      }
      da[i * inW + k] = s;
    }
  }
  // Convolution blocks, last to first.
  const convGrads: Float64Array[][] = new Array(m.conv.length);
  for (let l = m.conv.length - 1; l >= 0; l--) {
    const layer = m.conv[l] as TempCnn['conv'][number];
    const cout = layer.bn.gamma.length;
    const cin = l === 0 ? V : ((m.conv[l - 1] as TempCnn['conv'][number]).bn.gamma.length);
    const mask = f.masks[l] as Float64Array;
    for (let i = 0; i < da.length; i++) da[i] = (da[i] as number) * (mask[i] as number);
    const bnBack = batchNormBackward(da, B, cout, T, layer.bn, f.bn[l] as BnCache);
    const cb = conv1dBackward(f.inputs[l] as Float64Array, bnBack.dz, B, cin, T, layer.W, cout, K, l > 0);
    convGrads[l] = [cb.dW, bnBack.dgamma, bnBack.dbeta];
    if (cb.dx) da = cb.dx;
  }
  return { grads: [...convGrads.flat(), dFcW, fcBack.dgamma, fcBack.dbeta, dOutW, dOutB], loss };
}

/**
 * The same network with every batch norm folded into the weights before it (inference mode):
 * W' = W * gamma / sqrt(var + eps) per output channel, bias' = beta - mean * gamma / sqrt(var + eps).
 * This is what the ONNX export holds: Conv(with bias) -> Relu, MatMul -> Add -> Relu.
 */
export interface FoldedTempCnn {
  shape: TempCnnShape;
  conv: { W: Float64Array; b: Float64Array }[];
  fc: { W: Float64Array; b: Float64Array };
  out: { W: Float64Array; b: Float64Array };
}

function foldScale(bn: BatchNorm): { scale: Float64Array; bias: Float64Array } {
  const C = bn.gamma.length;
  const scale = new Float64Array(C);
  const bias = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    const s = (bn.gamma[c] as number) / Math.sqrt((bn.runVar[c] as number) + BN_EPS);
    scale[c] = s;
    bias[c] = (bn.beta[c] as number) - (bn.runMean[c] as number) * s;
  }
  return { scale, bias };
}

export function foldBatchNorm(m: TempCnn): FoldedTempCnn {
  const { kernel: K, dense: H } = m.shape;
  const conv = m.conv.map((layer) => {
    const { scale, bias } = foldScale(layer.bn);
    const per = layer.W.length / scale.length; // in * K weights per output channel
    return { W: layer.W.map((w, i) => w * (scale[Math.floor(i / per)] as number)), b: bias };
  });
  const { scale, bias } = foldScale(m.fc.bn);
  void K;
  return {
    shape: { ...m.shape, filters: [...m.shape.filters] },
    conv,
    fc: { W: m.fc.W.map((w, i) => w * (scale[i % H] as number)), b: bias },
    out: { W: Float64Array.from(m.out.W), b: Float64Array.from(m.out.b) },
  };
}

/** Rounds a folded net to float32, the precision of the ONNX initializers. */
export function roundFoldedToFloat32(m: FoldedTempCnn): FoldedTempCnn {
  const r = (a: Float64Array): Float64Array => a.map((x) => Math.fround(x));
  return {
    shape: m.shape,
    conv: m.conv.map((c) => ({ W: r(c.W), b: r(c.b) })),
    fc: { W: r(m.fc.W), b: r(m.fc.b) },
    out: { W: r(m.out.W), b: r(m.out.b) },
  };
}

/** Inference with a folded net (what the ONNX graph computes), for parity tests and CV scoring. */
export function predictFolded(m: FoldedTempCnn, X: ArrayLike<number>, n: number): Float64Array {
  const { variables: V, steps: T, kernel: K, dense: H, classes: C } = m.shape;
  let a = X instanceof Float64Array ? X : Float64Array.from(X);
  let cin = V;
  for (const layer of m.conv) {
    const cout = layer.b.length;
    const z = conv1d(a, n, cin, T, layer.W, cout, K);
    for (let b = 0; b < n; b++) {
      for (let c = 0; c < cout; c++) {
        const bias = layer.b[c] as number;
        for (let t = 0; t < T; t++) {
          const i = (b * cout + c) * T + t;
          const v = (z[i] as number) + bias;
          z[i] = v > 0 ? v : 0;
        }
      }
    }
    a = z;
    cin = cout;
  }
  const h = matmul(a, n, cin * T, m.fc.W, H, m.fc.b);
  for (let i = 0; i < h.length; i++) if ((h[i] as number) < 0) h[i] = 0;
  return softmaxInPlace(matmul(h, n, H, m.out.W, C, m.out.b), n, C);
}
