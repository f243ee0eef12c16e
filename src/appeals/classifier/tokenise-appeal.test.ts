import { describe, expect, it } from 'vitest';
import { foldCodeUnit, segmentWords, splitCharRuns } from './tokenise-appeal.ts';
import { FeatureBuffer, FEATURE_KINDS, hashAppealFeatures, type FeatureConfig } from './hash-appeal-features.ts';

const CHARS_1_2: FeatureConfig = { hashBits: 20, charNgramMin: 1, charNgramMax: 2, wordNgrams: 0, wordMaxChars: 0, titleNamespace: true };

describe('tokenising Chinese appeals', () => {
  it('folds full-width forms, case and digits, and breaks runs at punctuation', () => {
    expect(String.fromCharCode(foldCodeUnit('Ａ'.charCodeAt(0)))).toBe('a');
    expect(String.fromCharCode(foldCodeUnit('７'.charCodeAt(0)))).toBe('0');
    expect(foldCodeUnit('，'.charCodeAt(0))).toBe(0);
    expect(splitCharRuns('A市A3区魏家坡小区，脏乱差！10号楼')).toEqual(['a市a0区魏家坡小区', '脏乱差', '00号楼']);
    expect(splitCharRuns('广场舞噪音太大，晚上十点还在跳')).toEqual(['广场舞噪音太大', '晚上十点还在跳']);
  });

  it('segments words with the built-in ICU dictionary and drops punctuation', () => {
    const words = segmentWords('我们小区水压太低，高层用不上水');
    expect(words).toContain('我们');
    expect(words).toContain('小区');
    expect(words).toContain('高层');
    expect(words).not.toContain('，');
    expect(segmentWords('公交车半小时才来一班', 3).join('')).toBe('公交车');
  });

  it('hashes every character unigram and bigram of each run, the title also in its own namespace', () => {
    const out = new FeatureBuffer();
    hashAppealFeatures(undefined, '水压太低，停水', CHARS_1_2, out);
    // 水压太低: 4 unigrams + 3 bigrams; 停水: 2 + 1; nothing across the comma.
    expect(out.length).toBe(10);
    const kinds = Array.from(out.kinds.subarray(0, out.length), (k) => FEATURE_KINDS[k]);
    expect(kinds.filter((k) => k === 'char1')).toHaveLength(6);
    expect(kinds.filter((k) => k === 'char2')).toHaveLength(4);

    const again = new FeatureBuffer();
    hashAppealFeatures(undefined, '水压太低，停水', CHARS_1_2, again);
    expect(Array.from(again.buckets.subarray(0, again.length))).toEqual(Array.from(out.buckets.subarray(0, out.length)));

    const titled = new FeatureBuffer();
    hashAppealFeatures('停水', '水压太低', CHARS_1_2, titled);
    expect(titled.length).toBe(3 + 3 + 7);
    const titleKinds = Array.from(titled.kinds.subarray(0, titled.length), (k) => FEATURE_KINDS[k]!);
    expect(titleKinds.filter((k) => k.startsWith('title-'))).toHaveLength(3);
    // The same bigram in the title namespace is another bucket than in the text.
    const b = new FeatureBuffer();
    hashAppealFeatures(undefined, '停水', CHARS_1_2, b);
    expect(titled.buckets.subarray(0, 3)).not.toEqual(b.buckets.subarray(0, 3));
  });

  it('hashes segmenter words and word bigrams when asked, from the first wordMaxChars of the text', () => {
    const out = new FeatureBuffer();
    hashAppealFeatures(undefined, '我们小区水压太低', { ...CHARS_1_2, charNgramMax: 0, wordNgrams: 2, wordMaxChars: 4 }, out);
    const kinds = Array.from(out.kinds.subarray(0, out.length), (k) => FEATURE_KINDS[k]);
    // "我们小区" → 我们 | 小区: two words and one bigram; the rest is beyond wordMaxChars.
    expect(kinds).toEqual(['word', 'word', 'word-bigram']);
  });
});
