/**
 * A monotone priority queue of cell indices keyed by Float32 elevations: a radix heap (Ahuja,
 * Mehlhorn, Orlin & Tarjan 1990, "Faster algorithms for the shortest path problem"), all in typed
 * arrays. Monotone means a key pushed is never below the last key popped — true of Priority-Flood,
 * where a cell enters the queue only from a lower, already popped one — and it buys O(1) pushes
 * and pops that touch memory in order, several times faster than a binary heap on 16 M cells.
 *
 * A Float32 is mapped to a uint32 whose order is the number's order (the sign bit flipped for
 * positives, all bits for negatives); bucket b > 0 holds keys whose highest bit differing from the
 * last popped key is bit b − 1, bucket 0 the keys equal to it. Popping from an empty bucket 0
 * empties the first non-empty bucket, makes its smallest key the last one, and spreads it over
 * the lower buckets. Keys equal to each other come out in no set order.
 */
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The uint32 that sorts like the Float32 `value` (NaN is never pushed). */
export function sortableBits(value: number): number {
  f32[0] = value;
  const bits = u32[0]!;
  return (bits & 0x80000000 ? ~bits : bits | 0x80000000) >>> 0;
}

export class RadixCellHeap {
  readonly #cells: Int32Array[] = [];
  readonly #keys: Uint32Array[] = [];
  readonly #sizes = new Int32Array(33);
  #last = 0;
  #size = 0;

  constructor() {
    for (let b = 0; b < 33; b++) {
      this.#cells.push(new Int32Array(16));
      this.#keys.push(new Uint32Array(16));
    }
  }

  get size(): number {
    return this.#size;
  }

  /** Empties the queue and forgets the last key popped, for a new flood. */
  reset(): void {
    this.#sizes.fill(0);
    this.#size = 0;
    this.#last = 0;
  }

  /** Adds a cell; its key must not be below the last key popped. */
  push(cell: number, elevation: number): void {
    const key = sortableBits(elevation);
    if (key < this.#last) throw new RangeError(`radix heap: key ${elevation} is below the last popped key (not monotone)`);
    this.#append(key === this.#last ? 0 : 32 - Math.clz32(key ^ this.#last), cell, key);
    this.#size++;
  }

  /** Removes a cell with the lowest key; only when size > 0. */
  pop(): number {
    if (this.#sizes[0] === 0) this.#refill();
    this.#size--;
    return this.#cells[0]![--this.#sizes[0]!]!;
  }

  #append(bucket: number, cell: number, key: number): void {
    const sizes = this.#sizes;
    const at = sizes[bucket]!;
    let cells = this.#cells[bucket]!;
    if (at === cells.length) {
      const grownCells = new Int32Array(at * 2);
      grownCells.set(cells);
      this.#cells[bucket] = cells = grownCells;
      const grownKeys = new Uint32Array(at * 2);
      grownKeys.set(this.#keys[bucket]!);
      this.#keys[bucket] = grownKeys;
    }
    cells[at] = cell;
    this.#keys[bucket]![at] = key;
    sizes[bucket] = at + 1;
  }

  #refill(): void {
    const sizes = this.#sizes;
    let b = 1;
    while (sizes[b] === 0) b++;
    const cells = this.#cells[b]!;
    const keys = this.#keys[b]!;
    const n = sizes[b]!;
    let min = keys[0]!;
    for (let i = 1; i < n; i++) if (keys[i]! < min) min = keys[i]!;
    this.#last = min;
    sizes[b] = 0;
    // every key of bucket b shares its bits above b − 1 with min, so each lands in a lower bucket
    for (let i = 0; i < n; i++) {
      const key = keys[i]!;
      this.#append(key === min ? 0 : 32 - Math.clz32(key ^ min), cells[i]!, key);
    }
  }
}
