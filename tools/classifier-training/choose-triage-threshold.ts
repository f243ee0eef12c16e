/**
 * The default confidence under which a message goes to the manual triage queue. From held-out
 * predictions, accuracy as a function of confidence is estimated by isotonic regression (the
 * pool-adjacent-violators algorithm: Ayer, Brunk, Ewing, Reid & Silverman, Ann. Math. Statist.
 * 1955; used for calibration by Zadrozny & Elkan, KDD 2002), which assumes only that higher
 * confidence is not less often right. The threshold is the lowest confidence whose estimated
 * accuracy reaches the target: below it a guess is wrong often enough that a person should look.
 */

/** Isotonic (non-decreasing) fit of `correct` (0/1) ordered by ascending confidence. */
export function fitIsotonicAccuracy(confidence: Float64Array, correct: Uint8Array): { confidence: Float64Array; accuracy: Float64Array } {
  const order = Array.from(confidence.keys()).sort((a, b) => confidence[a]! - confidence[b]!);
  // Blocks of pooled values: mean and weight; merged while a block's mean is below its predecessor's.
  const mean: number[] = [];
  const weight: number[] = [];
  for (const i of order) {
    mean.push(correct[i]!);
    weight.push(1);
    while (mean.length > 1 && mean[mean.length - 2]! > mean[mean.length - 1]!) {
      const w = weight[weight.length - 2]! + weight[weight.length - 1]!;
      const m = (mean[mean.length - 2]! * weight[weight.length - 2]! + mean[mean.length - 1]! * weight[weight.length - 1]!) / w;
      mean.pop();
      weight.pop();
      mean[mean.length - 1] = m;
      weight[weight.length - 1] = w;
    }
  }
  const accuracy = new Float64Array(order.length);
  let p = 0;
  mean.forEach((m, b) => {
    for (let j = 0; j < weight[b]!; j++) accuracy[p++] = m;
  });
  return { confidence: Float64Array.from(order, (i) => confidence[i]!), accuracy };
}

/** Lowest held-out confidence whose isotonic accuracy is at least `targetAccuracy` (0 if all are). */
export function chooseTriageThreshold(confidence: Float64Array, correct: Uint8Array, targetAccuracy: number): number {
  const fit = fitIsotonicAccuracy(confidence, correct);
  for (let i = 0; i < fit.accuracy.length; i++) {
    if (fit.accuracy[i]! >= targetAccuracy) return i === 0 ? 0 : fit.confidence[i]!;
  }
  return 1;
}
