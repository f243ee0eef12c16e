/**
 * One-vs-rest linear support vector machines trained by dual coordinate descent: Hsieh, Chang,
 * Lin, Keerthi & Sundararajan, "A Dual Coordinate Descent Method for Large-scale Linear SVM",
 * ICML 2008 — the solver behind LIBLINEAR's default (-s 1, L2-regularised L2-loss). It reaches
 * the optimum of a few thousand sparse messages in well under a second per class, with no step
 * size to tune. The bias is learnt as the weight of a constant feature `bias` (LIBLINEAR's -B),
 * so it is regularised too, as there.
 */
import type { CsrMatrix } from './sparse-matrix.ts';
import { createRandom } from '../../src/geo/seeded-random.ts';
import { shuffleInPlace } from './shuffle-indices.ts';

export interface SvmOptions {
  /** Cost of margin violations; larger fits the training data harder. */
  readonly C: number;
  /** 'squared-hinge' (L2-loss, smooth, LIBLINEAR -s 1) or 'hinge' (L1-loss, -s 3). */
  readonly loss: 'squared-hinge' | 'hinge';
  /** Value of the constant feature that carries the bias. */
  readonly bias: number;
  /** Multiply C by n / (k · n_c) for the messages of class c, so rare classes are not sacrificed. */
  readonly balanced: boolean;
  readonly tolerance: number;
  readonly maxEpochs: number;
  readonly seed: number;
}

export interface LinearModel {
  readonly classCount: number;
  readonly featureCount: number;
  /** weights[f * classCount + c]: feature-major, so scoring one sparse vector reads adjacent memory. */
  readonly weights: Float64Array;
  readonly biases: Float64Array;
}

/**
 * Trains the binary SVM `y` (±1 per row) and returns its weights (length cols + 1, the last being
 * the bias weight). `cost[i]` is row i's C.
 */
export function trainBinarySvm(x: CsrMatrix, y: Int8Array, cost: Float64Array, opts: SvmOptions): Float64Array {
  const n = x.rows;
  const w = new Float64Array(x.cols + 1);
  const alpha = new Float64Array(n);
  const qd = new Float64Array(n);
  const hinge = opts.loss === 'hinge';
  const b2 = opts.bias * opts.bias;
  for (let i = 0; i < n; i++) {
    let s = b2;
    for (let p = x.rowStart[i]!; p < x.rowStart[i + 1]!; p++) s += x.value[p]! * x.value[p]!;
    // The L2 loss adds 1/(2C) to the diagonal of Q and has no upper bound on alpha; the L1 loss
    // has the bound C and nothing on the diagonal (Hsieh et al., section 2).
    qd[i] = s + (hinge ? 0 : 1 / (2 * cost[i]!));
  }
  const order = new Int32Array(n).map((_, i) => i);
  const random = createRandom(opts.seed);
  const biasAt = x.cols;
  for (let epoch = 0; epoch < opts.maxEpochs; epoch++) {
    shuffleInPlace(order, random);
    let maxViolation = 0;
    for (const i of order) {
      const yi = y[i]!;
      let wx = w[biasAt]! * opts.bias;
      for (let p = x.rowStart[i]!; p < x.rowStart[i + 1]!; p++) wx += w[x.index[p]!]! * x.value[p]!;
      const a = alpha[i]!;
      const upper = hinge ? cost[i]! : Infinity;
      const g = yi * wx - 1 + (hinge ? 0 : a / (2 * cost[i]!));
      let pg = g;
      if (a === 0) pg = Math.min(g, 0);
      else if (a === upper) pg = Math.max(g, 0);
      const v = Math.abs(pg);
      if (v > maxViolation) maxViolation = v;
      if (v < 1e-12) continue;
      const next = Math.min(Math.max(a - g / qd[i]!, 0), upper);
      const d = (next - a) * yi;
      if (d === 0) continue;
      alpha[i] = next;
      for (let p = x.rowStart[i]!; p < x.rowStart[i + 1]!; p++) w[x.index[p]!]! += d * x.value[p]!;
      w[biasAt]! += d * opts.bias;
    }
    if (maxViolation < opts.tolerance) break;
  }
  return w;
}

/** Each sample's misclassification cost C; with `balanced`, rarer classes weigh more (n / (k · count)). */
export function sampleCosts(labels: Int32Array, classCount: number, opts: Pick<SvmOptions, 'C' | 'balanced'>): Float64Array {
  const n = labels.length;
  const counts = new Int32Array(classCount);
  for (const l of labels) counts[l]! += 1;
  const cost = new Float64Array(n);
  for (let i = 0; i < n; i++) cost[i] = opts.balanced ? (opts.C * n) / (classCount * counts[labels[i]!]!) : opts.C;
  return cost;
}

/** One binary SVM per class against all others. */
export function trainOneVsRestSvm(x: CsrMatrix, labels: Int32Array, classCount: number, opts: SvmOptions): LinearModel {
  const n = x.rows;
  const cost = sampleCosts(labels, classCount, opts);
  const weights = new Float64Array(x.cols * classCount);
  const biases = new Float64Array(classCount);
  const y = new Int8Array(n);
  for (let c = 0; c < classCount; c++) {
    for (let i = 0; i < n; i++) y[i] = labels[i] === c ? 1 : -1;
    const w = trainBinarySvm(x, y, cost, { ...opts, seed: opts.seed + c });
    for (let f = 0; f < x.cols; f++) weights[f * classCount + c] = w[f]!;
    biases[c] = w[x.cols]! * opts.bias;
  }
  return { classCount, featureCount: x.cols, weights, biases };
}

/** Scores (margins) of every row of `x` for every class: out[r * classCount + c]. */
export function scoreRows(model: LinearModel, x: CsrMatrix): Float64Array {
  const k = model.classCount;
  const out = new Float64Array(x.rows * k);
  for (let r = 0; r < x.rows; r++) {
    const o = r * k;
    for (let c = 0; c < k; c++) out[o + c] = model.biases[c]!;
    for (let p = x.rowStart[r]!; p < x.rowStart[r + 1]!; p++) {
      const f = x.index[p]! * k;
      const v = x.value[p]!;
      for (let c = 0; c < k; c++) out[o + c]! += model.weights[f + c]! * v;
    }
  }
  return out;
}
