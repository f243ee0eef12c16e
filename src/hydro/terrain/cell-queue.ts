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
