import { describe, expect, it } from 'vitest';
import { computeConfusion, meanAndDeviation, scoreClassification, summariseConfusion } from './classification-metrics.ts';

describe('classification metrics', () => {
  it('computes per-class precision, recall, F1, macro-F1 and accuracy from a known confusion', () => {
    // Truth a a a a b b c c c c; predicted a a a b b c c c c a.
    const truth = [0, 0, 0, 0, 1, 1, 2, 2, 2, 2];
    const guess = [0, 0, 0, 1, 1, 2, 2, 2, 2, 0];
    expect(computeConfusion(truth, guess, 3)).toEqual([
      [3, 1, 0],
      [0, 1, 1],
      [1, 0, 3],
    ]);
    const r = scoreClassification(['a', 'b', 'c'], truth, guess);
    expect(r.perClass.a).toEqual({ precision: 0.75, recall: 0.75, f1: 0.75, support: 4 });
    expect(r.perClass.b!.precision).toBeCloseTo(0.5);
    expect(r.perClass.b!.recall).toBeCloseTo(0.5);
    expect(r.perClass.c!.f1).toBeCloseTo(0.75);
    expect(r.macroF1).toBeCloseTo((0.75 + 0.5 + 0.75) / 3);
    expect(r.accuracy).toBeCloseTo(0.7);
    expect(r.count).toBe(10);
  });

  it('gives a never-predicted class precision 0 and skips classes absent from truth and predictions', () => {
    const r = summariseConfusion(['a', 'b', 'c'], [
      [5, 0, 0],
      [2, 0, 0],
      [0, 0, 0],
    ]);
    expect(r.perClass.b).toEqual({ precision: 0, recall: 0, f1: 0, support: 2 });
    expect(r.macroF1).toBeCloseTo((2 * (5 / 7) / (5 / 7 + 1) + 0) / 2);
  });

  it('reports mean and sample standard deviation over folds', () => {
    const { mean, sd } = meanAndDeviation([0.9, 0.92, 0.88]);
    expect(mean).toBeCloseTo(0.9);
    expect(sd).toBeCloseTo(0.02);
  });
});
