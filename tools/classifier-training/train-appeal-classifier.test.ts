import { describe, expect, it } from 'vitest';
import { createRandom } from '../../src/geo/seeded-random.ts';
import { AppealClassifier } from '../../src/appeals/classifier/appeal-classifier.ts';
import { decodeModel, encodeModel } from '../../src/appeals/classifier/model-codec.ts';
import { APPEAL_LABEL_CATEGORIES } from '../../cities/chongqing/mappings.ts';
import { assignStratifiedFolds, splitStratifiedHoldout } from './stratified-split.ts';
import { fitSoftmaxTemperature } from './calibrate-temperature.ts';
import { chooseTriageThreshold } from './choose-triage-threshold.ts';
import { orderLabels, selectHeldOutMessages, trainAppealClassifier, type LabelledMessage } from './train-appeal-classifier.ts';

/** Three obvious kinds of complaint built from disjoint topic words and shared filler. */
function syntheticMessages(perClass: number, seed: number): LabelledMessage[] {
  const topics: Record<string, string[]> = {
    环境保护: ['噪音', '废气', '污水', '排放', '臭味', '粉尘', '污染'],
    劳动和社会保障: ['工资', '社保', '养老金', '劳动合同', '加班费', '失业金', '工伤'],
    教育文体: ['学校', '老师', '学生', '补课', '学费', '幼儿园', '课程'],
  };
  const filler = ['我们', '希望', '领导', '尽快', '解决', '问题', '反映', '多次', '一直', '没有'];
  const random = createRandom(seed);
  const pick = (xs: string[]) => xs[Math.floor(random() * xs.length)]!;
  const out: LabelledMessage[] = [];
  for (let i = 0; i < perClass; i++) {
    for (const [label, words] of Object.entries(topics)) {
      const parts: string[] = [];
      for (let w = 0; w < 10; w++) parts.push(random() < 0.4 ? pick(words) : pick(filler));
      out.push({ title: i % 2 === 0 ? `关于${pick(words)}的问题` : null, text: `${parts.join('')}。`, label });
    }
  }
  return out;
}

describe('training the appeal classifier', () => {
  const messages = syntheticMessages(30, 7);

  it('separates obvious classes, with calibrated confidence and the top three', () => {
    const r = trainAppealClassifier(messages, { folds: 3, holdout: 0.2 });
    expect(r.labels).toEqual(['环境保护', '教育文体', '劳动和社会保障']);
    expect(r.holdout!.messages).toBe(18);
    expect(r.holdout!.report.accuracy).toBeGreaterThanOrEqual(0.9);
    expect(r.crossValidation!.foldMacroF1).toHaveLength(3);
    // With Chongqing's label table, as the platform builds it from the pack.
    const c = new AppealClassifier(r.model, APPEAL_LABEL_CATEGORIES);
    const wages = c.classify('老板拖欠工资半年了，社保也没交');
    expect(wages.label).toBe('劳动和社会保障');
    expect(wages.categoryCode).toBe('appeal.labour');
    expect(wages.top).toHaveLength(3);
    expect(wages.top[0]!.confidence).toBeGreaterThan(wages.top[1]!.confidence);
    expect(wages.top.reduce((s, t) => s + t.confidence, 0)).toBeCloseTo(1, 6);
    expect(c.classify('工厂夜里排放废气，臭味很大').label).toBe('环境保护');
    expect(c.classify('学校周末强制补课收费', '补课').label).toBe('教育文体');
  });

  it('is deterministic: the same data and options give the same weights', () => {
    const a = trainAppealClassifier(messages, { folds: 3, holdout: 0.2 });
    const b = trainAppealClassifier(messages, { folds: 3, holdout: 0.2 });
    expect(Array.from(b.model.weights)).toEqual(Array.from(a.model.weights));
    expect(b.model.temperature).toBe(a.model.temperature);
    expect(b.model.threshold).toBe(a.model.threshold);
    expect(Array.from(b.holdoutIndices)).toEqual(Array.from(a.holdoutIndices));
  });

  it('holds out the messages selectHeldOutMessages names, a stratified share of each class', () => {
    const r = trainAppealClassifier(messages, { folds: 0, holdout: 0.2, seed: 3 });
    const held = selectHeldOutMessages(messages, { holdout: 0.2, seed: 3 });
    expect(held).toEqual(Array.from(r.holdoutIndices, (i) => messages[i]));
    for (const l of orderLabels(messages)) expect(held.filter((m) => m.label === l)).toHaveLength(6);
  });

  it('survives a round trip through the model file with the same predictions', () => {
    const r = trainAppealClassifier(messages, { folds: 3, holdout: 0 });
    const bytes = encodeModel(r.model);
    const back = decodeModel(bytes);
    expect(back.labels).toEqual(r.model.labels);
    expect(back.threshold).toBe(r.model.threshold);
    const before = new AppealClassifier(r.model);
    const after = new AppealClassifier(back);
    for (const m of syntheticMessages(5, 99)) {
      const x = before.classify(m.text, m.title);
      const y = after.classify(m.text, m.title);
      expect(y.label).toBe(x.label);
      expect(y.confidence).toBeCloseTo(x.confidence, 4);
    }
    expect(() => decodeModel(bytes.subarray(0, bytes.length - 10))).toThrow(/truncated/);
    expect(() => decodeModel(new TextEncoder().encode('not a model at all'))).toThrow(/bad magic/);
  });

  it('refuses data with fewer than two categories', () => {
    expect(() => trainAppealClassifier(messages.filter((m) => m.label === '教育文体'))).toThrow(/at least two categories/);
  });
});

describe('splits, calibration and the triage threshold', () => {
  it('deals stratified folds of near-equal size', () => {
    const labels = Int32Array.from({ length: 103 }, (_, i) => (i < 70 ? 0 : i < 95 ? 1 : 2));
    const fold = assignStratifiedFolds(labels, 3, 5, 1);
    const sizes = [0, 1, 2, 3, 4].map((f) => fold.filter((x) => x === f).length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    for (let f = 0; f < 5; f++) expect(Array.from(labels).filter((l, i) => l === 0 && fold[i] === f)).toHaveLength(14);
    const { train, test } = splitStratifiedHoldout(labels, 3, 0.2, 1);
    expect(test.length).toBe(14 + 5 + 2);
    expect(train.length + test.length).toBe(103);
  });

  it('fits a temperature that sharpens margins that are right and softens ones that are not', () => {
    const k = 2;
    // Margins of ±0.1 that are always right want a high temperature; 60 % right, a low one.
    const right = Float64Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? 0.1 : -0.1));
    const truth = Int32Array.from({ length: 100 }, () => 0);
    expect(fitSoftmaxTemperature(right, truth, k)).toBeGreaterThan(50);
    const mixed = Int32Array.from({ length: 100 }, (_, i) => (i % 5 < 3 ? 0 : 1));
    const t = fitSoftmaxTemperature(right, mixed, k);
    // Best calibrated: softmax(2 · 0.1 · t) = 0.6 → t = ln(1.5) / 0.2.
    expect(t).toBeCloseTo(Math.log(1.5) / 0.2, 2);
  });

  it('puts the threshold where isotonic accuracy reaches the target', () => {
    const confidence = Float64Array.from([0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7, 0.8, 0.9]);
    const correct = Uint8Array.from([0, 0, 1, 0, 1, 1, 0, 1, 1, 1]);
    // Pooled: [0, 0, 0.5, 0.5, 2/3, 2/3, 2/3, 1, 1, 1] → first ≥ 0.7 at 0.7.
    expect(chooseTriageThreshold(confidence, correct, 0.7)).toBe(0.7);
    expect(chooseTriageThreshold(confidence, correct, 0.5)).toBe(0.4);
  });
});
