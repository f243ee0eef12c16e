/**
 * NBSVM (Wang & Manning, "Baselines and Bigrams: Simple, Good Sentiment and Topic
 * Classification", ACL 2012): each one-vs-rest SVM is trained on features scaled by their naive
 * Bayes log-count ratio r = log((p/‖p‖₁) / (q/‖q‖₁)), p and q the smoothed feature sums over the
 * class and over the rest. The ratio tells the SVM up front which n-grams lean towards the class,
 * which helps most where data is scarce: on train.jsonl it lifted cross-validated macro-F1 by
 * about half a point over the plain SVM (docs/reference/classifier.md). Because the scaling is
 * per feature, it folds into the weights (w'ᶠ = wᶠ · rᶠ): the shipped model is an ordinary linear
 * model and prediction costs nothing extra.
 */
import type { CsrMatrix } from './sparse-matrix.ts';
import { sampleCosts, trainBinarySvm, type LinearModel, type SvmOptions } from './train-linear-svm.ts';

/** Log-count ratios of every feature for class `c` against the rest, smoothed by `alpha`. */
export function computeLogCountRatios(x: CsrMatrix, labels: Int32Array, c: number, alpha: number): Float64Array {
  const p = new Float64Array(x.cols).fill(alpha);
  const q = new Float64Array(x.cols).fill(alpha);
  for (let i = 0; i < x.rows; i++) {
    const sums = labels[i] === c ? p : q;
    for (let t = x.rowStart[i]!; t < x.rowStart[i + 1]!; t++) sums[x.index[t]!]! += x.value[t]!;
  }
  let sp = 0;
  let sq = 0;
  for (let f = 0; f < x.cols; f++) {
    sp += p[f]!;
    sq += q[f]!;
  }
  const r = new Float64Array(x.cols);
  for (let f = 0; f < x.cols; f++) r[f] = Math.log(p[f]! / sp / (q[f]! / sq));
  return r;
}

/**
 * One-vs-rest NBSVM; `alpha` is the naive Bayes smoothing added to every feature's sum of TF-IDF
 * values (smaller trusts rare n-grams more). Weights and biases as trainOneVsRestSvm's.
 */
export function trainNbSvm(x: CsrMatrix, labels: Int32Array, classCount: number, alpha: number, opts: SvmOptions, onClass?: (c: number) => void): LinearModel {
  const n = x.rows;
  const cost = sampleCosts(labels, classCount, opts);
  const weights = new Float64Array(x.cols * classCount);
  const biases = new Float64Array(classCount);
  const y = new Int8Array(n);
  const scaled = new Float32Array(x.value.length);
  for (let c = 0; c < classCount; c++) {
    const r = computeLogCountRatios(x, labels, c, alpha);
    for (let t = 0; t < scaled.length; t++) scaled[t] = x.value[t]! * r[x.index[t]!]!;
    for (let i = 0; i < n; i++) y[i] = labels[i] === c ? 1 : -1;
    const w = trainBinarySvm({ ...x, value: scaled }, y, cost, { ...opts, seed: opts.seed + c });
    for (let f = 0; f < x.cols; f++) weights[f * classCount + c] = w[f]! * r[f]!;
    biases[c] = w[x.cols]! * opts.bias;
    onClass?.(c);
  }
  return { classCount, featureCount: x.cols, weights, biases };
}
