/**
 * @module An indexed binary min-heap of items by time (`at`, ms): the check runner's
 * single timer for every checker's next check and every running check's deadline, and the
 * VRRP scheduler's one Node timer (src/daemon/scheduler.ts). Items carry their own heap
 * position, so moving or removing one is O(log n) without a search.
 */

export interface HeapItem {
  /** When the item is due (ms, the runner's clock). */
  at: number;
  /** Position in the heap; -1 when not in it. Owned by the heap. */
  heapIndex: number;
}

export class DueHeap<T extends HeapItem> {
  readonly #a: T[] = [];

  get size(): number {
    return this.#a.length;
  }

  /** The earliest item, if any. */
  peek(): T | undefined {
    return this.#a[0];
  }

  /** Adds `item`, or moves it if it is already in the heap (after its `at` changed). */
  set(item: T): void {
    if (item.heapIndex >= 0) {
      this.#up(item.heapIndex);
      this.#down(item.heapIndex);
      return;
    }
    item.heapIndex = this.#a.length;
    this.#a.push(item);
    this.#up(item.heapIndex);
  }

  remove(item: T): void {
    const i = item.heapIndex;
    if (i < 0) return;
    const last = this.#a.pop()!;
    item.heapIndex = -1;
    if (last === item) return;
    this.#a[i] = last;
    last.heapIndex = i;
    this.#up(i);
    this.#down(last.heapIndex);
  }

  /** Removes and returns the earliest item if it is due at `now`. */
  popDue(now: number): T | undefined {
    const top = this.#a[0];
    if (top === undefined || top.at > now) return undefined;
    this.remove(top);
    return top;
  }

  clear(): void {
    for (const item of this.#a) item.heapIndex = -1;
    this.#a.length = 0;
  }

  #up(i: number): void {
    const a = this.#a;
    const item = a[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = a[p]!;
      if (parent.at <= item.at) break;
      a[i] = parent;
      parent.heapIndex = i;
      i = p;
    }
    a[i] = item;
    item.heapIndex = i;
  }

  #down(i: number): void {
    const a = this.#a;
    const n = a.length;
    const item = a[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && a[r]!.at < a[l]!.at ? r : l;
      const child = a[c]!;
      if (child.at >= item.at) break;
      a[i] = child;
      child.heapIndex = i;
      i = c;
    }
    a[i] = item;
    item.heapIndex = i;
  }
}
