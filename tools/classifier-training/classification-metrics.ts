/**
 * Scores of a classifier on labelled messages: the confusion matrix, per-class precision, recall
 * and F1, their unweighted mean (macro-F1: each category counts the same however rare, which is
 * what the target is stated in) and accuracy.
 */
export interface ClassScores {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  /** Messages of this class in the data. */
  readonly support: number;
}

export interface ClassificationReport {
  readonly labels: readonly string[];
  /** confusion[t][p]: messages of true class t predicted as p. */
  readonly confusion: readonly (readonly number[])[];
  readonly perClass: Readonly<Record<string, ClassScores>>;
  readonly macroF1: number;
  readonly accuracy: number;
  readonly count: number;
}

export function computeConfusion(truth: ArrayLike<number>, predicted: ArrayLike<number>, classCount: number): number[][] {
  if (truth.length !== predicted.length) throw new Error(`computeConfusion: ${truth.length} truths but ${predicted.length} predictions`);
  const m = Array.from({ length: classCount }, () => new Array<number>(classCount).fill(0));
  for (let i = 0; i < truth.length; i++) m[truth[i]!]![predicted[i]!]! += 1;
  return m;
}

/**
 * Precision and F1 of a class that was never predicted (or has no messages) are 0, as in
 * scikit-learn's `zero_division=0`: a classifier that ignores a category should be punished.
 * Macro-F1 averages over classes present in the truth or the predictions.
 */
export function summariseConfusion(labels: readonly string[], confusion: readonly (readonly number[])[]): ClassificationReport {
  const k = labels.length;
  const perClass: Record<string, ClassScores> = {};
  let f1Sum = 0;
  let present = 0;
  let correct = 0;
  let count = 0;
  for (let c = 0; c < k; c++) {
    let tp = 0;
    let actual = 0;
    let predicted = 0;
    for (let o = 0; o < k; o++) {
      actual += confusion[c]![o]!;
      predicted += confusion[o]![c]!;
    }
    tp = confusion[c]![c]!;
    correct += tp;
    count += actual;
    const precision = predicted > 0 ? tp / predicted : 0;
    const recall = actual > 0 ? tp / actual : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    perClass[labels[c]!] = { precision, recall, f1, support: actual };
    if (actual > 0 || predicted > 0) {
      f1Sum += f1;
      present++;
    }
  }
  return { labels: [...labels], confusion, perClass, macroF1: present > 0 ? f1Sum / present : 0, accuracy: count > 0 ? correct / count : 0, count };
}

export function scoreClassification(labels: readonly string[], truth: ArrayLike<number>, predicted: ArrayLike<number>): ClassificationReport {
  return summariseConfusion(labels, computeConfusion(truth, predicted, labels.length));
}

/** Mean and sample standard deviation (n − 1), for figures over cross-validation folds. */
export function meanAndDeviation(xs: readonly number[]): { mean: number; sd: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const sd = xs.length > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1)) : 0;
  return { mean, sd };
}
