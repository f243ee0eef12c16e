/**
 * The classifier shipped in resources/models, so that a machine without ../shared routes appeals
 * out of the box. Loading reads one 1–2 MB file synchronously, once per process: it happens at
 * start-up or on the first appeal, and a synchronous `classify` is simpler for every caller.
 */
import { readFileSync } from 'node:fs';
import { AppealClassifier, type AppealClassification, type AppealClassifierModel } from './appeal-classifier.ts';
import { decodeModel } from './model-codec.ts';
import type { AppealLabelCategories } from './appeal-categories.ts';

/** Resolved from this file, not the working directory, so it works from any checkout or install. */
export const SHIPPED_MODEL_URL = new URL('../../../resources/models/appeals-classifier.bin', import.meta.url);

/**
 * Confidence under which a caller should send an appeal to the manual triage queue rather than
 * route it. Chosen on held-out predictions (out-of-fold over the training split) as the
 * confidence where accuracy, estimated by isotonic regression, reaches 70 %; on the fixed
 * held-out split 7.3 % of messages fall under it, and the model is right on 58.7 % of those
 * against 93.3 % of the rest (docs/reference/classifier.md). Equal to the shipped model's own
 * `threshold` (a test keeps them together).
 */
export const DEFAULT_TRIAGE_THRESHOLD = 0.56;

export function readClassifierModel(path: string | URL): AppealClassifierModel {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new Error(`cannot read the classifier model ${path instanceof URL ? path.pathname : path}: ${(e as Error).message}`);
  }
  return decodeModel(bytes);
}

export function loadClassifier(path: string | URL, labelCategories?: AppealLabelCategories): AppealClassifier {
  return new AppealClassifier(readClassifierModel(path), labelCategories);
}

let shippedModel: AppealClassifierModel | null = null;
let shipped: AppealClassifier | null = null;
/** One classifier per label table (a pack's table is one object for the process's life). */
const shippedByTable = new WeakMap<AppealLabelCategories, AppealClassifier>();

/**
 * The shipped classifier, the model read on first use and kept. With the city pack's label →
 * category table its predictions carry the pack's codes; without, each label is its own code.
 */
export function loadShippedClassifier(labelCategories?: AppealLabelCategories): AppealClassifier {
  shippedModel ??= readClassifierModel(SHIPPED_MODEL_URL);
  if (!labelCategories) return (shipped ??= new AppealClassifier(shippedModel));
  let c = shippedByTable.get(labelCategories);
  if (!c) shippedByTable.set(labelCategories, (c = new AppealClassifier(shippedModel, labelCategories)));
  return c;
}

/** Classifies one appeal with the shipped model: category, calibrated confidence, top three. */
export function classify(text: string, title?: string | null): AppealClassification {
  return loadShippedClassifier().classify(text, title);
}
