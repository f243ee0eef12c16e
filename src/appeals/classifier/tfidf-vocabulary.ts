/**
 * TF-IDF over hashed buckets: the vocabulary is the set of buckets seen in at least `minDf`
 * training messages (a bucket seen once is mostly a typo, a name or a house number, and pruning it
 * keeps the shipped model small), each with a scale = idf × the weight of its feature kind.
 * Values are sublinear (1 + ln tf), so a letter that repeats "噪音" ten times does not drown the
 * rest, and the vector is L2-normalised, so long and short messages score on one scale (Manning,
 * Raghavan & Schütze, "Introduction to Information Retrieval", §6.4). The vocabulary is fitted
 * by the training tool (tools/classifier-training/fit-vocabulary.ts); this is what classifying uses.
 */

export interface Vocabulary {
  readonly hashBits: number;
  /** Kept bucket ids, ascending; a bucket's index here is its slot. */
  readonly buckets: Int32Array;
  /** Per slot: idf times the weight of the bucket's feature kind. */
  readonly scale: Float32Array;
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
