/**
 * Fitting the TF-IDF vocabulary (src/appeals/classifier/tfidf-vocabulary.ts says what it is): which
 * hashed buckets are kept (seen in at least `minDf` training messages) and each one's scale,
 * idf × the weight of its feature kind.
 */
import type { FeatureBuffer } from '../../src/appeals/classifier/hash-appeal-features.ts';
import type { Vocabulary } from '../../src/appeals/classifier/tfidf-vocabulary.ts';

export interface VocabularyOptions {
  readonly hashBits: number;
  readonly minDf: number;
  /** Weight per feature kind (index into FEATURE_KINDS); missing kinds weigh 1. */
  readonly kindWeights: readonly number[];
}

/** A message's buckets and their kinds, as kept for fitting. */
export interface HashedMessage {
  readonly buckets: Int32Array;
  readonly kinds: Uint8Array;
}

export function copyHashedMessage(buffer: FeatureBuffer): HashedMessage {
  return { buckets: buffer.buckets.slice(0, buffer.length), kinds: buffer.kinds.slice(0, buffer.length) };
}

export function fitVocabulary(messages: readonly HashedMessage[], opts: VocabularyOptions): Vocabulary {
  const size = 1 << opts.hashBits;
  const df = new Int32Array(size);
  const lastSeen = new Int32Array(size).fill(-1);
  // A bucket's kind is that of its first occurrence: kinds share a bucket only through a hash
  // collision, rare enough at 2^20 buckets not to matter.
  const kind = new Uint8Array(size);
  messages.forEach((m, d) => {
    for (let i = 0; i < m.buckets.length; i++) {
      const b = m.buckets[i]!;
      if (df[b] === 0) kind[b] = m.kinds[i]!;
      if (lastSeen[b] !== d) {
        lastSeen[b] = d;
        df[b]! += 1;
      }
    }
  });
  let kept = 0;
  for (let b = 0; b < size; b++) if (df[b]! >= opts.minDf) kept++;
  const buckets = new Int32Array(kept);
  const scale = new Float32Array(kept);
  const n = messages.length;
  let s = 0;
  for (let b = 0; b < size; b++) {
    if (df[b]! < opts.minDf) continue;
    buckets[s] = b;
    // Smoothed idf as in scikit-learn: as if one extra message contained every term, so no idf is 0.
    const idf = Math.log((1 + n) / (1 + df[b]!)) + 1;
    scale[s] = idf * (opts.kindWeights[kind[b]!] ?? 1);
    s++;
  }
  return { hashBits: opts.hashBits, buckets, scale };
}
