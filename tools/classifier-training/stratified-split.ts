/**
 * Seeded stratified splits: every class keeps its share in each part, which matters here because
 * the smallest class (交通运输, 7 % of train.jsonl) would otherwise swing a fold's macro-F1.
 */
import { createRandom } from '../../src/geo/seeded-random.ts';
import { shuffleInPlace } from './shuffle-indices.ts';

function indicesByClass(labels: Int32Array, classCount: number): Int32Array[] {
  const counts = new Int32Array(classCount);
  for (const l of labels) counts[l]! += 1;
  const out = Array.from(counts, (c) => new Int32Array(c));
  const fill = new Int32Array(classCount);
  labels.forEach((l, i) => {
    out[l]![fill[l]!++] = i;
  });
  return out;
}

/** The fold (0 … k−1) of every message: each class is shuffled and dealt round-robin. */
export function assignStratifiedFolds(labels: Int32Array, classCount: number, k: number, seed: number): Int32Array {
  const random = createRandom(seed);
  const fold = new Int32Array(labels.length);
  let offset = 0;
  for (const members of indicesByClass(labels, classCount)) {
    shuffleInPlace(members, random);
    // Deal each class starting where the last one stopped, so the folds' sizes differ by at most one.
    members.forEach((m, j) => {
      fold[m] = (offset + j) % k;
    });
    offset = (offset + members.length) % k;
  }
  return fold;
}

/** Held-out split: round(fraction × n_c) messages of every class c go to `test`, ascending indices. */
export function splitStratifiedHoldout(labels: Int32Array, classCount: number, fraction: number, seed: number): { train: Int32Array; test: Int32Array } {
  const random = createRandom(seed);
  const isTest = new Uint8Array(labels.length);
  for (const members of indicesByClass(labels, classCount)) {
    shuffleInPlace(members, random);
    const take = Math.round(members.length * fraction);
    for (let j = 0; j < take; j++) isTest[members[j]!] = 1;
  }
  const test: number[] = [];
  const train: number[] = [];
  isTest.forEach((t, i) => (t ? test : train).push(i));
  return { train: Int32Array.from(train), test: Int32Array.from(test) };
}
