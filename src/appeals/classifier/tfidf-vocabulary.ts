/**
 * TF-IDF over hashed buckets: the vocabulary is the set of buckets seen in at least `minDf`
 * training messages (a bucket seen once is mostly a typo, a name or a house number, and pruning it
 * keeps the shipped model small), each with a scale = idf × the weight of its feature kind.
 * Values are sublinear (1 + ln tf), so a letter that repeats "噪音" ten times does not drown the
 * rest, and the vector is L2-normalised, so long and short messages score on one scale (Manning,
 * Raghavan & Schütze, "Introduction to Information Retrieval", §6.4).
 */
import type { FeatureBuffer } from './hash-appeal-features.ts';

export interface Vocabulary {
  readonly hashBits: number;
  /** Kept bucket ids, ascending; a bucket's index here is its slot. */
  readonly buckets: Int32Array;
  /** Per slot: idf times the weight of the bucket's feature kind. */
  readonly scale: Float32Array;
}

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

/**
 * Turns bucket lists into L2-normalised TF-IDF vectors over the vocabulary's slots. Holds scratch
 * arrays, so one instance serves one thread; `transform` returns views valid until the next call.
 */
export class TfIdfVectoriser {
  readonly slotCount: number;
  readonly #slotOf: Int32Array;
  readonly #scale: Float32Array;
  readonly #counts: Float32Array;
  #touched = new Int32Array(4096);
  #values = new Float32Array(4096);

  constructor(vocabulary: Vocabulary) {
    this.slotCount = vocabulary.buckets.length;
    this.#slotOf = new Int32Array(1 << vocabulary.hashBits).fill(-1);
    vocabulary.buckets.forEach((b, s) => {
      this.#slotOf[b] = s;
    });
    this.#scale = vocabulary.scale;
    this.#counts = new Float32Array(this.slotCount);
  }

  /** Slots (unordered) and values of one message; `length` entries are valid. */
  transform(buckets: Int32Array, count: number): { slots: Int32Array; values: Float32Array; length: number } {
    const counts = this.#counts;
    const slotOf = this.#slotOf;
    if (this.#touched.length < count) {
      this.#touched = new Int32Array(count * 2);
      this.#values = new Float32Array(count * 2);
    }
    const touched = this.#touched;
    let n = 0;
    for (let i = 0; i < count; i++) {
      const s = slotOf[buckets[i]!]!;
      if (s < 0) continue;
      if (counts[s] === 0) touched[n++] = s;
      counts[s]! += 1;
    }
    const values = this.#values;
    let norm = 0;
    for (let k = 0; k < n; k++) {
      const s = touched[k]!;
      const v = (1 + Math.log(counts[s]!)) * this.#scale[s]!;
      counts[s] = 0;
      values[k] = v;
      norm += v * v;
    }
    if (norm > 0) {
      const inv = 1 / Math.sqrt(norm);
      for (let k = 0; k < n; k++) values[k]! *= inv;
    }
    return { slots: touched, values, length: n };
  }
}
