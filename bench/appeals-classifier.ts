/**
 * The appeal classifier's figures: messages classified per second on one core, and macro-F1 and
 * accuracy of the shipped model on the messages it never saw — the fixed held-out split of
 * ../shared/data/appeals/train.jsonl (re-derived from the seed and share recorded in the model),
 * or, on a machine without ../shared, the 84 messages of resources/models/appeals-sample.jsonl
 * (written for the project, not taken from the data set, whose licence lets a trained model ship
 * but says nothing of the messages).
 */
import { existsSync, readFileSync } from 'node:fs';
import { loadShippedClassifier } from '../src/appeals/classifier/shipped-classifier.ts';
import { evaluateClassifier, selectHeldOutMessages, type LabelledMessage } from '../tools/classifier-training/train-appeal-classifier.ts';
import { parseJsonlMessages } from '../tools/classifier-training/read-labelled-messages.ts';

const TRAIN_URL = new URL('../../shared/data/appeals/train.jsonl', import.meta.url);
const SAMPLE_URL = new URL('../resources/models/appeals-sample.jsonl', import.meta.url);

export interface ClassifierBenchResult {
  classifiedPerSecond: number;
  macroF1: number;
  accuracy: number;
  /** Messages scored. */
  holdout: number;
  /** Which messages: the held-out split of train.jsonl or the bundled sample. */
  source: string;
  /** Share of them under the default triage threshold. */
  triageShare: number;
}

export async function runClassifierBench(opts: { seconds?: number; log?: (m: string) => void } = {}): Promise<ClassifierBenchResult> {
  const seconds = opts.seconds ?? 3;
  const classifier = loadShippedClassifier();
  const split = classifier.model.provenance.options as { holdout?: number; seed?: number } | undefined;
  let messages: LabelledMessage[];
  let source: string;
  if (existsSync(TRAIN_URL) && split?.holdout && split.seed !== undefined) {
    const all = parseJsonlMessages(readFileSync(TRAIN_URL, 'utf8'), { requireLabel: true });
    messages = selectHeldOutMessages(all, { holdout: split.holdout, seed: split.seed });
    source = `held-out ${Math.round(split.holdout * 100)} % of train.jsonl (seed ${split.seed})`;
  } else {
    messages = parseJsonlMessages(readFileSync(SAMPLE_URL, 'utf8'), { requireLabel: true });
    source = 'bundled sample (resources/models/appeals-sample.jsonl)';
  }
  opts.log?.(`classifier: ${messages.length} messages, ${source}`);
  const scores = evaluateClassifier(classifier, messages);

  // Warm up the JIT on one pass, then classify the messages round-robin for the measuring time.
  for (const m of messages) classifier.classify(m.text, m.title);
  let count = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  while (performance.now() < end) {
    for (const m of messages) classifier.classify(m.text, m.title);
    count += messages.length;
  }
  const elapsed = (performance.now() - start) / 1000;
  return {
    classifiedPerSecond: Math.round(count / elapsed),
    macroF1: Math.round(scores.report.macroF1 * 10000) / 10000,
    accuracy: Math.round(scores.report.accuracy * 10000) / 10000,
    holdout: messages.length,
    source,
    triageShare: Math.round(scores.triageShare * 10000) / 10000,
  };
}
