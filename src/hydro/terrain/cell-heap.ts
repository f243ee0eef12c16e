/**
 * A binary min-heap of cell indices keyed by Float32 elevations, in two parallel typed arrays (no
 * object per entry): the priority queue of Priority-Flood. Equal keys come out in no set order;
 * the fill's result does not depend on it (the filled surface is unique).
 */
export class CellHeap {
  #keys: Float32Array;
  #cells: Int32Array;
  #size = 0;

  constructor(initialCapacity = 1024) {
    const capacity = Math.max(16, initialCapacity | 0);
    this.#keys = new Float32Array(capacity);
    this.#cells = new Int32Array(capacity);
  }

  get size(): number {
    return this.#size;
  }

  push(cell: number, key: number): void {
    if (this.#size === this.#cells.length) this.#grow();
    const keys = this.#keys;
    const cells = this.#cells;
    let i = this.#size++;
    // sift up: move parents down until the new key's place is found, then write it once
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pk = keys[parent]!;
      if (pk <= key) break;
      keys[i] = pk;
      cells[i] = cells[parent]!;
      i = parent;
    }
    keys[i] = key;
    cells[i] = cell;
  }

  /** the key of the top cell (the lowest); only when size > 0 */
  peekKey(): number {
    return this.#keys[0]!;
  }

  /** removes and returns the cell with the lowest key; only when size > 0 */
  pop(): number {
    const keys = this.#keys;
    const cells = this.#cells;
    const top = cells[0]!;
    const n = --this.#size;
    if (n === 0) return top;
    const key = keys[n]!;
    const cell = cells[n]!;
    let i = 0;
    const half = n >> 1;
    while (i < half) {
      let child = 2 * i + 1;
      let ck = keys[child]!;
      const right = child + 1;
      if (right < n) {
        const rk = keys[right]!;
        if (rk < ck) {
          child = right;
          ck = rk;
        }
      }
      if (ck >= key) break;
      keys[i] = ck;
      cells[i] = cells[child]!;
      i = child;
    }
    keys[i] = key;
    cells[i] = cell;
    return top;
  }

  #grow(): void {
    const keys = new Float32Array(this.#keys.length * 2);
    keys.set(this.#keys);
    const cells = new Int32Array(this.#cells.length * 2);
    cells.set(this.#cells);
    this.#keys = keys;
    this.#cells = cells;
  }
}

/** A FIFO of cell indices in a growable ring buffer. */
export class CellQueue {
  #cells: Int32Array;
  #head = 0;
  #size = 0;

  constructor(initialCapacity = 1024) {
    this.#cells = new Int32Array(Math.max(16, 1 << Math.ceil(Math.log2(Math.max(16, initialCapacity)))));
  }

  get size(): number {
    return this.#size;
  }

  push(cell: number): void {
    const cap = this.#cells.length;
    if (this.#size === cap) this.#grow();
    const mask = this.#cells.length - 1;
    this.#cells[(this.#head + this.#size) & mask] = cell;
    this.#size++;
  }

  shift(): number {
    const cell = this.#cells[this.#head]!;
    this.#head = (this.#head + 1) & (this.#cells.length - 1);
    this.#size--;
    return cell;
  }

  #grow(): void {
    const old = this.#cells;
    const cap = old.length;
    const next = new Int32Array(cap * 2);
    for (let i = 0; i < this.#size; i++) next[i] = old[(this.#head + i) & (cap - 1)]!;
    this.#cells = next;
    this.#head = 0;
  }
}
