/** A binary min-heap of trace records keyed by sequence number. */
export interface PendingRecord {
  seq: number;
  lane: number;
  rec: Int32Array;
}

export class SeqHeap {
  private readonly items: PendingRecord[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): PendingRecord | undefined {
    return this.items[0];
  }

  push(item: PendingRecord): void {
    const a = this.items;
    a.push(item);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if ((a[p] as PendingRecord).seq <= item.seq) break;
      a[i] = a[p] as PendingRecord;
      i = p;
    }
    a[i] = item;
  }

  pop(): PendingRecord | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length === 0 || last === undefined) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= a.length) break;
      const r = l + 1;
      const c = r < a.length && (a[r] as PendingRecord).seq < (a[l] as PendingRecord).seq ? r : l;
      if ((a[c] as PendingRecord).seq >= last.seq) break;
      a[i] = a[c] as PendingRecord;
      i = c;
    }
    a[i] = last;
    return top;
  }
}
