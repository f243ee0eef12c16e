/**
 * The training options and their defaults (train-appeal-classifier.ts says how they were chosen).
 * A leaf of types and numbers, so the CLI can show the defaults without loading the trainer.
 */
import type { FeatureConfig, FeatureKind } from '../../src/appeals/classifier/hash-appeal-features.ts';
import type { SvmOptions } from './train-linear-svm.ts';

export interface TrainingOptions {
  readonly features: FeatureConfig;
  /** Keep hash buckets seen in at least this many training messages. */
  readonly minDf: number;
  /** Weight per feature kind (1 when absent). */
  readonly kindWeights: Readonly<Partial<Record<FeatureKind, number>>>;
  /** NBSVM smoothing; null trains plain one-vs-rest SVMs. */
  readonly naiveBayesAlpha: number | null;
  readonly svm: SvmOptions;
  /** Cross-validation folds (figures, temperature, threshold); 0 or 1 skips cross-validation. */
  readonly folds: number;
  /** Seed of the folds and of the held-out split. */
  readonly seed: number;
  /** Share of messages held out to score the final model (0: train on everything). */
  readonly holdout: number;
  /** The triage threshold is where held-out accuracy reaches this. */
  readonly triageAccuracy: number;
  /** Also train on each titled message's title alone (see above); off by default. */
  readonly titleCopies: boolean;
}

export const DEFAULT_TRAINING_OPTIONS: TrainingOptions = Object.freeze({
  features: Object.freeze({ hashBits: 20, charNgramMin: 1, charNgramMax: 2, wordNgrams: 0, wordMaxChars: 0, titleNamespace: true }),
  minDf: 2,
  kindWeights: Object.freeze({}),
  naiveBayesAlpha: 0.1,
  svm: Object.freeze({ C: 1, loss: 'squared-hinge', bias: 1, balanced: true, tolerance: 0.01, maxEpochs: 500, seed: 1 }) as SvmOptions,
  folds: 5,
  seed: 20200,
  holdout: 0.2,
  triageAccuracy: 0.7,
  titleCopies: false,
});
