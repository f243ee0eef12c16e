/** Rows of sparse vectors in compressed sparse row form: the layout coordinate descent walks. */
export interface CsrMatrix {
  readonly rows: number;
  readonly cols: number;
  /** Row r's entries are index/value[rowStart[r] … rowStart[r+1]). */
  readonly rowStart: Int32Array;
  readonly index: Int32Array;
  readonly value: Float32Array;
}

/** Builds a matrix from a function that yields each row's (unordered) entries. */
export function buildCsrMatrix(
  rows: number,
  cols: number,
  rowAt: (r: number) => { slots: Int32Array; values: Float32Array; length: number },
): CsrMatrix {
  const rowStart = new Int32Array(rows + 1);
  let index = new Int32Array(rows * 256);
  let value = new Float32Array(rows * 256);
  let nnz = 0;
  for (let r = 0; r < rows; r++) {
    const v = rowAt(r);
    if (nnz + v.length > index.length) {
      const size = Math.max(index.length * 2, nnz + v.length);
      const i2 = new Int32Array(size);
      i2.set(index.subarray(0, nnz));
      index = i2;
      const v2 = new Float32Array(size);
      v2.set(value.subarray(0, nnz));
      value = v2;
    }
    index.set(v.slots.subarray(0, v.length), nnz);
    value.set(v.values.subarray(0, v.length), nnz);
    nnz += v.length;
    rowStart[r + 1] = nnz;
  }
  return { rows, cols, rowStart, index: index.slice(0, nnz), value: value.slice(0, nnz) };
}
