/**
 * @module A binary min-heap of timer entries by the time each wants to be woken, with
 * each entry holding its own position so that a re-arm moves it in O(log n) instead of
 * removing and re-inserting it (a backup pushes every Master_Down_Timer back on every
 * advert: 2,550 times a second with 255 instances at 0.1 s).
 */

/** What the heap needs of an entry: its key and a slot for its position (-1: not in the heap). */
export interface HeapItem {
  /** When the entry wants to be woken (ms, monotonic). */
  wakeMs: number;
  heapIndex: number;
}

export class TimerHeap<T extends HeapItem> {
  readonly #items: T[] = [];

  get size(): number {
    return this.#items.length;
  }

  /** The entry to wake first, or undefined. */
  peek(): T | undefined {
    return this.#items[0];
  }

  /** Inserts `item`, or moves it if its key changed while it was in the heap. */
  upsert(item: T): void {
    if (item.heapIndex < 0) {
      item.heapIndex = this.#items.length;
      this.#items.push(item);
    }
    this.#siftUp(item.heapIndex);
    this.#siftDown(item.heapIndex);
  }

  remove(item: T): void {
    const i = item.heapIndex;
    if (i < 0) return;
    const last = this.#items.pop()!;
    item.heapIndex = -1;
    if (last === item) return;
    this.#items[i] = last;
    last.heapIndex = i;
    this.#siftUp(i);
    this.#siftDown(last.heapIndex);
  }

  #swap(i: number, j: number): void {
    const a = this.#items[i]!;
    const b = this.#items[j]!;
    this.#items[i] = b;
    this.#items[j] = a;
    a.heapIndex = j;
    b.heapIndex = i;
  }

  #siftUp(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.#items[parent]!.wakeMs <= this.#items[i]!.wakeMs) return;
      this.#swap(i, parent);
      i = parent;
    }
  }

  #siftDown(i: number): void {
    const n = this.#items.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) return;
      const r = l + 1;
      const child = r < n && this.#items[r]!.wakeMs < this.#items[l]!.wakeMs ? r : l;
      if (this.#items[i]!.wakeMs <= this.#items[child]!.wakeMs) return;
      this.#swap(i, child);
      i = child;
    }
  }
}
