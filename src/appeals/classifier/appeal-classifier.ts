/**
 * The trained model and the classification of one message: hash its features, weigh them by the
 * vocabulary, one sparse dot product per category, softmax of the tempered margins. Everything is
 * preallocated per classifier, so classifying allocates only the result.
 */
import { categoryCodeOf, type AppealLabelCategories } from './appeal-categories.ts';
import { softmaxInto } from './tempered-softmax.ts';
import { FeatureBuffer, hashAppealFeatures, type FeatureConfig } from './hash-appeal-features.ts';
import { TfIdfVectoriser, type Vocabulary } from './tfidf-vocabulary.ts';

export interface AppealClassifierModel {
  /** Category labels as in the training data (the seven first-level names for the shipped model). */
  readonly labels: readonly string[];
  readonly features: FeatureConfig;
  readonly vocabulary: Vocabulary;
  /** weights[slot * labels.length + c]. */
  readonly weights: Float32Array;
  readonly biases: Float64Array;
  /** Softmax temperature fitted on held-out margins (calibrate-temperature.ts). */
  readonly temperature: number;
  /** Default triage threshold on the confidence (choose-triage-threshold.ts). */
  readonly threshold: number;
  /** How the model was made: data, date, options, measured figures. Plain JSON. */
  readonly provenance: Readonly<Record<string, unknown>>;
}

export interface AppealPrediction {
  readonly label: string;
  readonly categoryCode: string;
  /** Calibrated probability that this category is right, 0–1. */
  readonly confidence: number;
}

export interface AppealClassification extends AppealPrediction {
  /** The three most likely categories, best first (the first is the prediction itself). */
  readonly top: readonly AppealPrediction[];
}

export class AppealClassifier {
  readonly model: AppealClassifierModel;
  readonly #vectoriser: TfIdfVectoriser;
  readonly #buffer = new FeatureBuffer();
  readonly #margins: Float64Array;
  readonly #probabilities: Float64Array;
  readonly #codes: readonly string[];

  /** labelCategories: the city pack's label → category code table (unmapped labels answer as themselves). */
  constructor(model: AppealClassifierModel, labelCategories: AppealLabelCategories = {}) {
    const k = model.labels.length;
    if (model.weights.length !== model.vocabulary.buckets.length * k) throw new Error(`classifier model: ${model.weights.length} weights for ${model.vocabulary.buckets.length} features × ${k} categories`);
    this.model = model;
    this.#vectoriser = new TfIdfVectoriser(model.vocabulary);
    this.#margins = new Float64Array(k);
    this.#probabilities = new Float64Array(k);
    this.#codes = model.labels.map((l) => categoryCodeOf(l, labelCategories));
  }

  get labels(): readonly string[] {
    return this.model.labels;
  }

  /** The default triage threshold: below it, send the message to a person. */
  get threshold(): number {
    return this.model.threshold;
  }

  /** Raw margins per category (a view, overwritten by the next call). */
  scoreMargins(text: string, title?: string | null): Float64Array {
    const { weights, biases } = this.model;
    const k = biases.length;
    const m = this.#margins;
    m.set(biases);
    hashAppealFeatures(title ?? undefined, text, this.model.features, this.#buffer);
    const v = this.#vectoriser.transform(this.#buffer.buckets, this.#buffer.length);
    for (let j = 0; j < v.length; j++) {
      const o = v.slots[j]! * k;
      const x = v.values[j]!;
      for (let c = 0; c < k; c++) m[c]! += weights[o + c]! * x;
    }
    return m;
  }

  /** Index of the most likely category. */
  predictIndex(text: string, title?: string | null): number {
    const m = this.scoreMargins(text, title);
    let best = 0;
    for (let c = 1; c < m.length; c++) if (m[c]! > m[best]!) best = c;
    return best;
  }

  classify(text: string, title?: string | null): AppealClassification {
    const p = softmaxInto(this.scoreMargins(text, title), 0, this.#margins.length, this.model.temperature, this.#probabilities);
    const order = Array.from(p.keys()).sort((a, b) => p[b]! - p[a]! || a - b);
    const top = order.slice(0, 3).map((c) => ({ label: this.model.labels[c]!, categoryCode: this.#codes[c]!, confidence: p[c]! }));
    return { ...top[0]!, top };
  }
}
