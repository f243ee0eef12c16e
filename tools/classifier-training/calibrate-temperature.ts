/**
 * Temperature scaling (Guo, Pleiss, Sun & Weinberger, "On Calibration of Modern Neural Networks",
 * ICML 2017; Platt scaling's one-parameter multi-class form): confidence = softmax(T · margins).
 * SVM margins are not probabilities; one T fitted on held-out margins makes "0.8" mean "right
 * about 80 % of the time" without changing which category wins. The softmax itself is applied at
 * classification time (src/appeals/classifier/tempered-softmax.ts); this file only fits T.
 */

function meanNegativeLogLikelihood(margins: Float64Array, labels: Int32Array, k: number, t: number): number {
  let nll = 0;
  for (let i = 0; i < labels.length; i++) {
    const o = i * k;
    let max = -Infinity;
    for (let c = 0; c < k; c++) max = Math.max(max, t * margins[o + c]!);
    let sum = 0;
    for (let c = 0; c < k; c++) sum += Math.exp(t * margins[o + c]! - max);
    nll += Math.log(sum) + max - t * margins[o + labels[i]!]!;
  }
  return nll / Math.max(1, labels.length);
}

/**
 * The T in [0.01, 100] that minimises the mean negative log-likelihood of held-out margins
 * (margins[i * k + c]), by golden-section search on log T: the NLL is convex in T.
 */
export function fitSoftmaxTemperature(margins: Float64Array, labels: Int32Array, k: number): number {
  if (labels.length === 0) return 1;
  const phi = (Math.sqrt(5) - 1) / 2;
  let a = Math.log(0.01);
  let b = Math.log(100);
  let c = b - phi * (b - a);
  let d = a + phi * (b - a);
  let fc = meanNegativeLogLikelihood(margins, labels, k, Math.exp(c));
  let fd = meanNegativeLogLikelihood(margins, labels, k, Math.exp(d));
  for (let i = 0; i < 60; i++) {
    if (fc < fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - phi * (b - a);
      fc = meanNegativeLogLikelihood(margins, labels, k, Math.exp(c));
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + phi * (b - a);
      fd = meanNegativeLogLikelihood(margins, labels, k, Math.exp(d));
    }
  }
  return Math.exp((a + b) / 2);
}
