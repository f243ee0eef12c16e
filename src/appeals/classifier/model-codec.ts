/**
 * The model file: a magic line, a JSON header and three binary sections. The header says what
 * the sections are, so the file explains itself; the sections are what makes it small:
 *
 * - buckets: the vocabulary's bucket ids, ascending, as LEB128 varints of their differences
 *   (most gaps are a few hundred, two bytes instead of four);
 * - scale: per feature, idf × kind weight as uint16 in [0, scaleMax] (error < 1e-4 of the range);
 * - weights: slot-major, int16 with one step per category (max |w| / 32767). SVM weights of a
 *   sparse text model are many small values and a few large ones: with 8 bits most of them
 *   rounded to 0 or ±1 step, which was invisible on long letters but moved short messages
 *   ("公交车半小时才来一班") between categories; 16 bits cost 2 bytes × 7 per feature.
 *
 * Layout: "CLAPPCLS" (8 bytes) · uint32 LE header length · header (UTF-8 JSON) · sections.
 */
import type { AppealClassifierModel } from './appeal-classifier.ts';
import type { FeatureConfig } from './hash-appeal-features.ts';

const MAGIC = 'CLAPPCLS';
export const MODEL_FORMAT = 'cityloop-appeals-classifier';
export const MODEL_FORMAT_VERSION = 1;

interface Section {
  readonly offset: number;
  readonly length: number;
}

interface ModelHeader {
  readonly format: string;
  readonly version: number;
  readonly labels: string[];
  readonly features: FeatureConfig;
  readonly featureCount: number;
  readonly biases: number[];
  readonly temperature: number;
  readonly threshold: number;
  readonly provenance: Record<string, unknown>;
  readonly sections: {
    readonly buckets: Section & { readonly encoding: 'delta-leb128' };
    readonly scale: Section & { readonly encoding: 'uint16'; readonly max: number };
    readonly weights: Section & { readonly encoding: 'int16'; readonly steps: number[] };
  };
}

function encodeVarints(sorted: Int32Array): Uint8Array {
  const out = new Uint8Array(sorted.length * 5);
  let p = 0;
  let prev = 0;
  for (const v of sorted) {
    let d = v - prev;
    prev = v;
    while (d >= 0x80) {
      out[p++] = (d & 0x7f) | 0x80;
      d >>>= 7;
    }
    out[p++] = d;
  }
  return out.slice(0, p);
}

function decodeVarints(bytes: Uint8Array, count: number): Int32Array {
  const out = new Int32Array(count);
  let p = 0;
  let prev = 0;
  for (let i = 0; i < count; i++) {
    let v = 0;
    let shift = 0;
    for (;;) {
      if (p >= bytes.length) throw new Error('classifier model: bucket section is truncated');
      const b = bytes[p++]!;
      v |= (b & 0x7f) << shift;
      if (b < 0x80) break;
      shift += 7;
    }
    prev += v;
    out[i] = prev;
  }
  return out;
}

/**
 * The weights as the file will hold them (int16 steps per category), so a trainer can score the
 * model exactly as it ships.
 */
export function quantiseWeights(weights: Float32Array | Float64Array, k: number): { codes: Int16Array; steps: number[]; weights: Float32Array } {
  const steps = new Array<number>(k).fill(0);
  for (let i = 0; i < weights.length; i++) steps[i % k] = Math.max(steps[i % k]!, Math.abs(weights[i]!));
  for (let c = 0; c < k; c++) steps[c] = steps[c]! > 0 ? steps[c]! / 32767 : 1;
  const codes = new Int16Array(weights.length);
  const back = new Float32Array(weights.length);
  for (let i = 0; i < weights.length; i++) {
    const q = Math.round(weights[i]! / steps[i % k]!);
    codes[i] = q;
    back[i] = q * steps[i % k]!;
  }
  return { codes, steps, weights: back };
}

function quantiseScale(scale: Float32Array): { codes: Uint16Array; max: number; scale: Float32Array } {
  let max = 0;
  for (const s of scale) max = Math.max(max, s);
  if (max === 0) max = 1;
  const codes = new Uint16Array(scale.length);
  const back = new Float32Array(scale.length);
  for (let i = 0; i < scale.length; i++) {
    codes[i] = Math.round((scale[i]! / max) * 65535);
    back[i] = (codes[i]! / 65535) * max;
  }
  return { codes, max, scale: back };
}

/** The model as it will be after a round trip through the file (quantised). */
export function quantiseModel(model: AppealClassifierModel): AppealClassifierModel {
  return {
    ...model,
    vocabulary: { ...model.vocabulary, scale: quantiseScale(model.vocabulary.scale).scale },
    weights: quantiseWeights(model.weights, model.labels.length).weights,
  };
}

export function encodeModel(model: AppealClassifierModel): Uint8Array {
  const k = model.labels.length;
  const buckets = encodeVarints(model.vocabulary.buckets);
  const scale = quantiseScale(model.vocabulary.scale);
  const weights = quantiseWeights(model.weights, k);
  const scaleBytes = new Uint8Array(scale.codes.length * 2);
  const dv = new DataView(scaleBytes.buffer);
  scale.codes.forEach((c, i) => dv.setUint16(i * 2, c, true));
  const weightBytes = new Uint8Array(weights.codes.length * 2);
  const wdv = new DataView(weightBytes.buffer);
  weights.codes.forEach((c, i) => wdv.setInt16(i * 2, c, true));
  const header: ModelHeader = {
    format: MODEL_FORMAT,
    version: MODEL_FORMAT_VERSION,
    labels: [...model.labels],
    features: model.features,
    featureCount: model.vocabulary.buckets.length,
    biases: Array.from(model.biases),
    temperature: model.temperature,
    threshold: model.threshold,
    provenance: { ...model.provenance },
    sections: {
      buckets: { offset: 0, length: buckets.length, encoding: 'delta-leb128' },
      scale: { offset: buckets.length, length: scaleBytes.length, encoding: 'uint16', max: scale.max },
      weights: { offset: buckets.length + scaleBytes.length, length: weightBytes.length, encoding: 'int16', steps: weights.steps },
    },
  };
  const headerBytes = new TextEncoder().encode(JSON.stringify(header, null, 1));
  const out = new Uint8Array(8 + 4 + headerBytes.length + buckets.length + scaleBytes.length + weightBytes.length);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(8, headerBytes.length, true);
  let p = 12;
  for (const part of [headerBytes, buckets, scaleBytes, weightBytes]) {
    out.set(part, p);
    p += part.length;
  }
  return out;
}

export function decodeModel(bytes: Uint8Array): AppealClassifierModel {
  if (bytes.length < 12 || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) throw new Error('not a CityLoop appeals classifier model (bad magic)');
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(8, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + headerLength))) as ModelHeader;
  if (header.format !== MODEL_FORMAT || header.version !== MODEL_FORMAT_VERSION) throw new Error(`classifier model: unsupported format ${header.format} v${header.version}`);
  const data = bytes.subarray(12 + headerLength);
  const section = (s: Section) => {
    if (s.offset + s.length > data.length) throw new Error('classifier model: file is truncated');
    return data.subarray(s.offset, s.offset + s.length);
  };
  const n = header.featureCount;
  const k = header.labels.length;
  const buckets = decodeVarints(section(header.sections.buckets), n);
  const scaleBytes = section(header.sections.scale);
  const sdv = new DataView(scaleBytes.buffer, scaleBytes.byteOffset, scaleBytes.byteLength);
  const scale = new Float32Array(n);
  for (let i = 0; i < n; i++) scale[i] = (sdv.getUint16(i * 2, true) / 65535) * header.sections.scale.max;
  const wBytes = section(header.sections.weights);
  if (wBytes.length !== n * k * 2) throw new Error(`classifier model: ${wBytes.length / 2} weights for ${n} features × ${k} categories`);
  const wdv = new DataView(wBytes.buffer, wBytes.byteOffset, wBytes.byteLength);
  const steps = header.sections.weights.steps;
  const weights = new Float32Array(n * k);
  for (let i = 0; i < weights.length; i++) weights[i] = wdv.getInt16(i * 2, true) * steps[i % k]!;
  return {
    labels: header.labels,
    features: header.features,
    vocabulary: { hashBits: header.features.hashBits, buckets, scale },
    weights,
    biases: Float64Array.from(header.biases),
    temperature: header.temperature,
    threshold: header.threshold,
    provenance: header.provenance,
  };
}
