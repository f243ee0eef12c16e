/**
 * Feature hashing (Weinberger et al., "Feature Hashing for Large Scale Multitask Learning", ICML
 * 2009) of a message's character n-grams and words into 2^hashBits buckets. Hashing means the
 * model stores no strings: a bucket id is the feature. The n-grams are hashed straight from the
 * folded code units, without building a string per n-gram, because this loop is the classifier's
 * hot path.
 */
import { foldCodeUnit, segmentWords } from './tokenise-appeal.ts';

export interface FeatureConfig {
  /** log2 of the number of hash buckets. */
  readonly hashBits: number;
  /** Shortest and longest character n-gram, e.g. [1, 3]. */
  readonly charNgramMin: number;
  readonly charNgramMax: number;
  /** 0: no words; 1: segmenter words; 2: words and word bigrams. */
  readonly wordNgrams: number;
  /** Words are taken from the first this many characters of the text (the segmenter is slow). */
  readonly wordMaxChars: number;
  /**
   * The title's features are also emitted in a namespace of their own, so the model can learn
   * that "噪音" in the title says more than "噪音" in the fifth paragraph. The title is always part
   * of the text namespace as well.
   */
  readonly titleNamespace: boolean;
}

/**
 * What a bucket id stands for. Training weighs the kinds differently (a title's words say more
 * than a letter's fifth paragraph); prediction needs no kinds because the weight is folded into
 * each bucket's scale.
 */
export const FEATURE_KINDS = ['char1', 'char2', 'char3', 'char4', 'word', 'word-bigram', 'title-char1', 'title-char2', 'title-char3', 'title-char4', 'title-word', 'title-word-bigram'] as const;
export type FeatureKind = (typeof FEATURE_KINDS)[number];
const TITLE_KIND_OFFSET = 6;
const WORD_KIND = 4;

/** Growable output of bucket ids, each with its kind (an index into FEATURE_KINDS). */
export class FeatureBuffer {
  buckets = new Int32Array(4096);
  kinds = new Uint8Array(4096);
  length = 0;

  push(bucket: number, kind: number): void {
    if (this.length === this.buckets.length) {
      const grown = new Int32Array(this.buckets.length * 2);
      grown.set(this.buckets);
      this.buckets = grown;
      const k = new Uint8Array(this.buckets.length);
      k.set(this.kinds);
      this.kinds = k;
    }
    this.kinds[this.length] = kind;
    this.buckets[this.length++] = bucket;
  }
}

// Namespace seeds: arbitrary odd constants, fixed forever because a shipped model's buckets depend on them.
const SEED_TEXT_CHARS = 0x2c1b3c6d;
const SEED_TITLE_CHARS = 0x297a2d39;
const SEED_TEXT_WORDS = 0x5bd1e995;
const SEED_TITLE_WORDS = 0x68e31da4;
const SEED_BIGRAM = 0x1b873593;
const FNV_PRIME = 0x01000193;

/** MurmurHash3's finaliser: FNV alone leaves the low bits, which pick the bucket, poorly mixed. */
function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}

function hashString(s: string, seed: number): number {
  let h = seed;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
  return mix32(h);
}

// Folded code units of the current field, 0 at breaks; reused so that hashing allocates nothing.
let folded = new Uint16Array(8192);

function emitCharNgrams(text: string, seed: number, kindOffset: number, config: FeatureConfig, mask: number, out: FeatureBuffer): void {
  const n = text.length;
  if (folded.length < n) folded = new Uint16Array(n * 2);
  for (let i = 0; i < n; i++) folded[i] = foldCodeUnit(text.charCodeAt(i));
  const { charNgramMin: lo, charNgramMax: hi } = config;
  for (let i = 0; i < n; i++) {
    if (folded[i] === 0) continue;
    let h = seed;
    for (let k = 0; k < hi && i + k < n; k++) {
      const c = folded[i + k]!;
      if (c === 0) break;
      h = Math.imul(h ^ c, FNV_PRIME);
      // The length goes into the final mix so that n-grams of different lengths never share a chain value.
      if (k + 1 >= lo) out.push(mix32(h + k) & mask, kindOffset + Math.min(k, 3));
    }
  }
}

function emitWords(text: string, maxChars: number, seed: number, kindOffset: number, bigrams: boolean, mask: number, out: FeatureBuffer): void {
  let prev = 0;
  let first = true;
  for (const w of segmentWords(text, maxChars)) {
    const h = hashString(w, seed);
    out.push(h & mask, kindOffset + WORD_KIND);
    if (bigrams && !first) out.push(mix32(Math.imul(prev, 0x9e3779b1) ^ h ^ SEED_BIGRAM) & mask, kindOffset + WORD_KIND + 1);
    prev = h;
    first = false;
  }
}

/** Writes the bucket ids of one message into `out` (cleared first); one id per occurrence. */
export function hashAppealFeatures(title: string | undefined, text: string, config: FeatureConfig, out: FeatureBuffer): void {
  const mask = (1 << config.hashBits) - 1;
  out.length = 0;
  if (title && config.titleNamespace) {
    emitCharNgrams(title, SEED_TITLE_CHARS, TITLE_KIND_OFFSET, config, mask, out);
    if (config.wordNgrams > 0) emitWords(title, Infinity, SEED_TITLE_WORDS, TITLE_KIND_OFFSET, config.wordNgrams > 1, mask, out);
  }
  if (title) {
    emitCharNgrams(title, SEED_TEXT_CHARS, 0, config, mask, out);
    if (config.wordNgrams > 0) emitWords(title, Infinity, SEED_TEXT_WORDS, 0, config.wordNgrams > 1, mask, out);
  }
  emitCharNgrams(text, SEED_TEXT_CHARS, 0, config, mask, out);
  if (config.wordNgrams > 0 && config.wordMaxChars > 0) emitWords(text, config.wordMaxChars, SEED_TEXT_WORDS, 0, config.wordNgrams > 1, mask, out);
}
