/** Every open case of the viewer's jurisdiction as columns (`GET /api/v1/map/cases?format=bin`). */
export interface MapPoints {
  readonly count: number;
  readonly truncated: boolean;
  readonly states: readonly string[];
  readonly priorities: readonly string[];
  readonly lng: Float64Array;
  readonly lat: Float64Array;
  readonly state: Uint8Array;
  readonly priority: Uint8Array;
  readonly overdue: Uint8Array;
  /** The id of the i-th case, made only when asked (a click, a live change). */
  idAt(i: number): string;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * Reads the packed case columns of `GET /api/v1/map/cases?format=bin` (the layout is described at
 * `encodeMapColumns` in src/web/map-routes.ts): typed arrays over the answer, no text to parse.
 */
export function decodeMapColumns(buf: ArrayBuffer): MapPoints {
  const bytes = new Uint8Array(buf);
  if (String.fromCharCode(bytes[0]!, bytes[1]!, bytes[2]!, bytes[3]!) !== 'CLM1') throw new Error('not a CityLoop map-columns answer');
  const view = new DataView(buf);
  const h = view.getUint32(4, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + h))) as { count: number; truncated: boolean; states: string[]; priorities: string[]; ids: 'uuid' | 'text' };
  const n = header.count;
  let o = Math.ceil((8 + h) / 4) * 4;
  const lng = new Float64Array(n);
  const lat = new Float64Array(n);
  for (let i = 0; i < n; i++, o += 4) lng[i] = view.getInt32(o, true) / 1e6;
  for (let i = 0; i < n; i++, o += 4) lat[i] = view.getInt32(o, true) / 1e6;
  const state = bytes.subarray(o, o + n);
  const priority = bytes.subarray(o + n, o + 2 * n);
  const overdue = bytes.subarray(o + 2 * n, o + 3 * n);
  o += 3 * n;
  let idAt: (i: number) => string;
  if (header.ids === 'uuid') {
    const ids = bytes.subarray(o, o + 16 * n);
    idAt = (i) => {
      let s = '';
      for (let k = 0; k < 16; k++) s += (k === 4 || k === 6 || k === 8 || k === 10 ? '-' : '') + HEX[ids[i * 16 + k]!];
      return s;
    };
  } else {
    const list = new TextDecoder().decode(bytes.subarray(o)).split('\n');
    idAt = (i) => list[i]!;
  }
  return { count: n, truncated: header.truncated, states: header.states, priorities: header.priorities, lng, lat, state, priority, overdue, idAt };
}
