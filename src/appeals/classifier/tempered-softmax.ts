/**
 * The classifier's confidence: softmax of the margins scaled by the model's temperature T
 * (fitted at training time, tools/classifier-training/calibrate-temperature.ts), so that a
 * confidence of 0.8 means "right about 80 % of the time".
 */

/** softmax(t · margins[o … o+k)) into `out`. */
export function softmaxInto(margins: ArrayLike<number>, offset: number, k: number, t: number, out: Float64Array): Float64Array {
  let max = -Infinity;
  for (let c = 0; c < k; c++) max = Math.max(max, t * margins[offset + c]!);
  let sum = 0;
  for (let c = 0; c < k; c++) {
    out[c] = Math.exp(t * margins[offset + c]! - max);
    sum += out[c]!;
  }
  for (let c = 0; c < k; c++) out[c]! /= sum;
  return out;
}
