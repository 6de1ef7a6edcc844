/** An entry ordered by `at`, then by `seq` (so equal times keep the order they were pushed in). */
export interface HeapEntry {
  at: number;
  seq: number;
}

const before = (a: HeapEntry, b: HeapEntry) => a.at < b.at || (a.at === b.at && a.seq < b.seq);

/** A binary min-heap: the local queue finds the next message to become visible in O(log n). */
export class MinHeap<T extends HeapEntry> {
  private readonly items: T[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    const items = this.items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(items[i] as T, items[parent] as T)) break;
      [items[i], items[parent]] = [items[parent] as T, items[i] as T];
      i = parent;
    }
  }

  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last) {
      items[0] = last;
      this.siftDown(0);
    }
    return top;
  }

  private siftDown(start: number) {
    const items = this.items;
    let i = start;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let least = i;
      if (left < items.length && before(items[left] as T, items[least] as T)) least = left;
      if (right < items.length && before(items[right] as T, items[least] as T)) least = right;
      if (least === i) return;
      [items[i], items[least]] = [items[least] as T, items[i] as T];
      i = least;
    }
  }
}
