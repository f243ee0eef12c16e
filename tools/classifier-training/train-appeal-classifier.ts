/**
 * Training as a whole: hash the messages, cross-validate (the figures, and the held-out margins
 * that fit the confidence's temperature and the triage threshold), fit the final model, quantise
 * it as it will ship, and score it on the held-out split. Pure: messages in, model and figures
 * out; reading files and writing the model are the CLI's.
 *
 * The defaults were chosen by 5-fold stratified cross-validation on train.jsonl, repeated with
 * three fold seeds (docs/reference/classifier.md has the table). Character unigrams and bigrams
 * beat 1–3 and 1–4 grams here; segmenter words added nothing measurable and cost most of the
 * speed budget, so they are off (FeatureConfig.wordNgrams keeps them available).
 *
 * `titleCopies` also trains on each titled message's title alone, as a second, short example.
 * The letters are long (median 220 characters) but an app message may be one line; the copies
 * raised cross-validated macro-F1 on titles alone from 0.857 to 0.870 but cost 0.003 on whole
 * messages (six fold seeds, five paired losses), which is what the router is judged on, so they
 * are off by default. A city whose appeals are short can turn them on. Copies never enter
 * evaluation.
 */
import { APPEAL_LABELS } from '../../src/appeals/classifier/appeal-categories.ts';
import { AppealClassifier, type AppealClassifierModel } from '../../src/appeals/classifier/appeal-classifier.ts';
import { fitSoftmaxTemperature } from './calibrate-temperature.ts';
import { softmaxInto } from '../../src/appeals/classifier/tempered-softmax.ts';
import { chooseTriageThreshold } from './choose-triage-threshold.ts';
import { meanAndDeviation, scoreClassification, type ClassificationReport } from './classification-metrics.ts';
import { FEATURE_KINDS, FeatureBuffer, hashAppealFeatures, type FeatureConfig } from '../../src/appeals/classifier/hash-appeal-features.ts';
import { quantiseModel } from '../../src/appeals/classifier/model-codec.ts';
import { buildCsrMatrix, type CsrMatrix } from './sparse-matrix.ts';
import { assignStratifiedFolds, splitStratifiedHoldout } from './stratified-split.ts';
import { TfIdfVectoriser, type Vocabulary } from '../../src/appeals/classifier/tfidf-vocabulary.ts';
import { copyHashedMessage, fitVocabulary, type HashedMessage } from './fit-vocabulary.ts';
import { DEFAULT_TRAINING_OPTIONS, type TrainingOptions } from './training-options.ts';
import { scoreRows, trainOneVsRestSvm, type LinearModel } from './train-linear-svm.ts';
import { trainNbSvm } from './train-nb-svm.ts';

export interface LabelledMessage {
  readonly title?: string | null;
  readonly text: string;
  readonly label: string;
}

export type TrainingProgress = (phase: string, done: number, total: number) => void;

/**
 * The category labels in model order: the seven first-level names in their canonical order
 * (those present), then any other labels in code-point order.
 */
export function orderLabels(messages: readonly LabelledMessage[]): string[] {
  const present = new Set(messages.map((m) => m.label));
  const canonical = APPEAL_LABELS.filter((l) => present.has(l));
  const others = [...present].filter((l) => !(APPEAL_LABELS as readonly string[]).includes(l)).sort();
  return [...canonical, ...others];
}

export function hashMessages(messages: readonly LabelledMessage[], features: FeatureConfig, onProgress?: TrainingProgress): HashedMessage[] {
  const buffer = new FeatureBuffer();
  return messages.map((m, i) => {
    if (onProgress && (i % 200 === 0 || i === messages.length - 1)) onProgress('hash features', i + 1, messages.length);
    hashAppealFeatures(m.title ?? undefined, m.text, features, buffer);
    return copyHashedMessage(buffer);
  });
}

function vectorise(hashed: readonly HashedMessage[], pick: Int32Array, vectoriser: TfIdfVectoriser): CsrMatrix {
  return buildCsrMatrix(pick.length, vectoriser.slotCount, (r) => {
    const m = hashed[pick[r]!]!;
    return vectoriser.transform(m.buckets, m.buckets.length);
  });
}

interface FittedLinear {
  readonly vocabulary: Vocabulary;
  readonly vectoriser: TfIdfVectoriser;
  readonly linear: LinearModel;
}

/**
 * Hashed messages for training: the messages in input order, then one title-only copy per
 * titled message (when enabled); `copyOf[i]` is the index of message i's copy or −1.
 */
interface TrainingSet {
  readonly hashed: readonly HashedMessage[];
  /** Label index per hashed entry (copies carry their message's). */
  readonly y: Int32Array;
  readonly copyOf: Int32Array;
}

function buildTrainingSet(messages: readonly LabelledMessage[], y: Int32Array, opts: TrainingOptions, onProgress?: TrainingProgress): TrainingSet {
  const copyOf = new Int32Array(messages.length).fill(-1);
  const copies: LabelledMessage[] = [];
  const copyLabels: number[] = [];
  if (opts.titleCopies) {
    messages.forEach((m, i) => {
      if (!m.title || !m.title.trim()) return;
      copyOf[i] = messages.length + copies.length;
      copies.push({ text: m.title, label: m.label });
      copyLabels.push(y[i]!);
    });
  }
  const hashed = hashMessages([...messages, ...copies], opts.features, onProgress);
  return { hashed, y: Int32Array.from([...y, ...copyLabels]), copyOf };
}

/** `pick` plus the title copies of the picked messages. */
function withCopies(set: TrainingSet, pick: Int32Array): Int32Array {
  const extra: number[] = [];
  for (const i of pick) if (set.copyOf[i]! >= 0) extra.push(set.copyOf[i]!);
  return Int32Array.from([...pick, ...extra]);
}

function fitLinear(set: TrainingSet, messagesPicked: Int32Array, k: number, opts: TrainingOptions, onClass?: (c: number) => void): FittedLinear {
  const { hashed, y } = set;
  const pick = withCopies(set, messagesPicked);
  const vocabulary = fitVocabulary(
    Array.from(pick, (i) => hashed[i]!),
    { hashBits: opts.features.hashBits, minDf: opts.minDf, kindWeights: FEATURE_KINDS.map((kind) => opts.kindWeights[kind] ?? 1) },
  );
  const vectoriser = new TfIdfVectoriser(vocabulary);
  const x = vectorise(hashed, pick, vectoriser);
  const labels = Int32Array.from(pick, (i) => y[i]!);
  const linear = opts.naiveBayesAlpha === null ? trainOneVsRestSvm(x, labels, k, opts.svm) : trainNbSvm(x, labels, k, opts.naiveBayesAlpha, opts.svm, onClass);
  return { vocabulary, vectoriser, linear };
}

export interface CrossValidation {
  readonly folds: number;
  readonly seed: number;
  readonly foldMacroF1: number[];
  readonly macroF1Mean: number;
  readonly macroF1Sd: number;
  /** Pooled over every message's out-of-fold prediction. */
  readonly report: ClassificationReport;
  /** Out-of-fold margins, margins[i * k + c]. */
  readonly margins: Float64Array;
}

/** Stratified k-fold cross-validation over the messages `pick`; folds are tested on messages only, never on copies. */
function crossValidate(set: TrainingSet, labels: readonly string[], pick: Int32Array, opts: TrainingOptions, onProgress?: TrainingProgress): CrossValidation {
  const { hashed, y } = set;
  const k = labels.length;
  const sub = Int32Array.from(pick, (i) => y[i]!);
  const fold = assignStratifiedFolds(sub, k, opts.folds, opts.seed);
  const margins = new Float64Array(pick.length * k);
  const predicted = new Int32Array(pick.length);
  const foldMacroF1: number[] = [];
  for (let f = 0; f < opts.folds; f++) {
    const trainAt = Int32Array.from(fold.keys()).filter((j) => fold[j] !== f);
    const testAt = Int32Array.from(fold.keys()).filter((j) => fold[j] === f);
    const fitted = fitLinear(set, Int32Array.from(trainAt, (j) => pick[j]!), k, opts, (c) => onProgress?.('cross-validate', f * k + c + 1, opts.folds * k));
    const x = vectorise(hashed, Int32Array.from(testAt, (j) => pick[j]!), fitted.vectoriser);
    const s = scoreRows(fitted.linear, x);
    const truth: number[] = [];
    const guess: number[] = [];
    testAt.forEach((j, r) => {
      let best = 0;
      for (let c = 0; c < k; c++) {
        margins[j * k + c] = s[r * k + c]!;
        if (s[r * k + c]! > s[r * k + best]!) best = c;
      }
      predicted[j] = best;
      truth.push(sub[j]!);
      guess.push(best);
    });
    foldMacroF1.push(scoreClassification(labels, truth, guess).macroF1);
  }
  const { mean, sd } = meanAndDeviation(foldMacroF1);
  return { folds: opts.folds, seed: opts.seed, foldMacroF1, macroF1Mean: mean, macroF1Sd: sd, report: scoreClassification(labels, sub, predicted), margins };
}

export interface HoldoutScores {
  readonly messages: number;
  readonly report: ClassificationReport;
  /** Share of held-out messages under the model's threshold (to triage), and accuracy on each side. */
  readonly triageShare: number;
  readonly accuracyAboveThreshold: number;
  readonly accuracyBelowThreshold: number;
}

export interface TrainingResult {
  readonly model: AppealClassifierModel;
  readonly labels: readonly string[];
  readonly crossValidation: CrossValidation | null;
  readonly holdout: HoldoutScores | null;
  /** Indices (into the input) of the held-out messages. */
  readonly holdoutIndices: Int32Array;
}

/** Scores a classifier on messages whose labels it knows; the threshold splits the triage share. */
export function evaluateClassifier(classifier: AppealClassifier, messages: readonly LabelledMessage[], onProgress?: TrainingProgress): HoldoutScores {
  const labels = classifier.labels;
  const truth: number[] = [];
  const guess: number[] = [];
  let below = 0;
  let rightBelow = 0;
  let rightAbove = 0;
  messages.forEach((m, i) => {
    if (onProgress && (i % 200 === 0 || i === messages.length - 1)) onProgress('evaluate', i + 1, messages.length);
    const t = labels.indexOf(m.label);
    if (t < 0) throw new Error(`label ${m.label} is not one the model knows (${labels.join(', ')})`);
    const c = classifier.classify(m.text, m.title);
    const g = labels.indexOf(c.label);
    truth.push(t);
    guess.push(g);
    if (c.confidence < classifier.threshold) {
      below++;
      if (g === t) rightBelow++;
    } else if (g === t) rightAbove++;
  });
  const n = messages.length;
  return {
    messages: n,
    report: scoreClassification(labels, truth, guess),
    triageShare: n > 0 ? below / n : 0,
    accuracyAboveThreshold: n - below > 0 ? rightAbove / (n - below) : 0,
    accuracyBelowThreshold: below > 0 ? rightBelow / below : 0,
  };
}

function splitForHoldout(messages: readonly LabelledMessage[], opts: { readonly holdout: number; readonly seed: number }): { train: Int32Array; test: Int32Array } {
  const labels = orderLabels(messages);
  const y = Int32Array.from(messages, (m) => labels.indexOf(m.label));
  return opts.holdout > 0 ? splitStratifiedHoldout(y, labels.length, opts.holdout, opts.seed) : { train: Int32Array.from(y.keys()), test: new Int32Array(0) };
}

/**
 * The messages a training run with these options held out (the same seeded stratified split),
 * so a model can be scored later on exactly the messages it never saw.
 */
export function selectHeldOutMessages(messages: readonly LabelledMessage[], opts: { readonly holdout: number; readonly seed: number }): LabelledMessage[] {
  return Array.from(splitForHoldout(messages, opts).test, (i) => messages[i]!);
}

function roundTo(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/**
 * Trains a classifier on labelled messages. With `holdout` > 0 a seeded stratified share is set
 * aside first and never seen by training: the returned `holdout` scores are those of the returned
 * (quantised) model on it.
 */
export function trainAppealClassifier(messages: readonly LabelledMessage[], options: Partial<TrainingOptions> = {}, onProgress?: TrainingProgress): TrainingResult {
  const opts: TrainingOptions = { ...DEFAULT_TRAINING_OPTIONS, ...options };
  const labels = orderLabels(messages);
  const k = labels.length;
  if (k < 2) throw new Error(`training needs at least two categories; the data has ${k === 0 ? 'none' : `only ${labels[0]}`}`);
  if (!(opts.holdout >= 0 && opts.holdout < 1)) throw new Error(`holdout must be in [0, 1), not ${opts.holdout}`);
  const y = Int32Array.from(messages, (m) => labels.indexOf(m.label));
  const split = splitForHoldout(messages, opts);
  if (split.train.length < 2 * Math.max(2, opts.folds)) throw new Error(`too few messages to train on (${split.train.length})`);
  const set = buildTrainingSet(messages, y, opts, onProgress);

  const cv = opts.folds > 1 ? crossValidate(set, labels, split.train, opts, onProgress) : null;
  let temperature = 1;
  let threshold = 0;
  if (cv) {
    const sub = Int32Array.from(split.train, (i) => y[i]!);
    temperature = fitSoftmaxTemperature(cv.margins, sub, k);
    const p = new Float64Array(k);
    const confidence = new Float64Array(sub.length);
    const correct = new Uint8Array(sub.length);
    sub.forEach((t, i) => {
      softmaxInto(cv.margins, i * k, k, temperature, p);
      let best = 0;
      for (let c = 1; c < k; c++) if (p[c]! > p[best]!) best = c;
      confidence[i] = p[best]!;
      correct[i] = best === t ? 1 : 0;
    });
    // Two decimals: the threshold is a setting people read and change, not a fitted constant.
    threshold = roundTo(chooseTriageThreshold(confidence, correct, opts.triageAccuracy), 2);
  }

  const fitted = fitLinear(set, split.train, k, opts, (c) => onProgress?.('fit final model', c + 1, k));
  const model = quantiseModel({
    labels,
    features: opts.features,
    vocabulary: fitted.vocabulary,
    weights: Float32Array.from(fitted.linear.weights),
    biases: fitted.linear.biases,
    temperature,
    threshold,
    provenance: {
      trainedAt: new Date().toISOString(),
      messages: split.train.length,
      titleCopies: withCopies(set, split.train).length - split.train.length,
      options: {
        minDf: opts.minDf,
        kindWeights: opts.kindWeights,
        naiveBayesAlpha: opts.naiveBayesAlpha,
        svm: opts.svm,
        folds: opts.folds,
        seed: opts.seed,
        holdout: opts.holdout,
        triageAccuracy: opts.triageAccuracy,
        titleCopies: opts.titleCopies,
      },
      ...(cv ? { crossValidation: { folds: cv.folds, seed: cv.seed, macroF1Mean: roundTo(cv.macroF1Mean, 4), macroF1Sd: roundTo(cv.macroF1Sd, 4), foldMacroF1: cv.foldMacroF1.map((f) => roundTo(f, 4)) } } : {}),
    },
  });
  const holdout = split.test.length > 0 ? evaluateClassifier(new AppealClassifier(model), Array.from(split.test, (i) => messages[i]!), onProgress) : null;
  const provenance = holdout
    ? {
        ...model.provenance,
        holdout: {
          fraction: opts.holdout,
          seed: opts.seed,
          messages: holdout.messages,
          macroF1: roundTo(holdout.report.macroF1, 4),
          accuracy: roundTo(holdout.report.accuracy, 4),
          perClassF1: Object.fromEntries(Object.entries(holdout.report.perClass).map(([l, s]) => [l, roundTo(s.f1, 4)])),
          triageShare: roundTo(holdout.triageShare, 4),
          accuracyAboveThreshold: roundTo(holdout.accuracyAboveThreshold, 4),
          accuracyBelowThreshold: roundTo(holdout.accuracyBelowThreshold, 4),
        },
      }
    : model.provenance;
  return { model: { ...model, provenance }, labels, crossValidation: cv, holdout, holdoutIndices: split.test };
}
