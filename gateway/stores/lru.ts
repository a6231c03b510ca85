/**
 * A least-recently-used map bounded by a byte budget: entries are sized by `sizeOf`, and
 * the least recently used go once the total passes `maxBytes` (an entry larger than the
 * whole budget is not kept). Map order is insertion order, so a read re-inserts.
 */
export class ByteBudgetLru<V> {
  private readonly entries = new Map<string, V>();
  private used = 0;

  constructor(
    readonly maxBytes: number,
    private readonly sizeOf: (key: string, value: V) => number,
  ) {}

  /** Bytes held now. */
  get bytes(): number {
    return this.used;
  }

  get(key: string): V | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, value); // most recently used goes last
    }
    return value;
  }

  delete(key: string): void {
    const value = this.entries.get(key);
    if (value === undefined) return;
    this.entries.delete(key);
    this.used -= this.sizeOf(key, value);
  }

  set(key: string, value: V): void {
    const cost = this.sizeOf(key, value);
    if (cost > this.maxBytes) return;
    this.delete(key);
    this.entries.set(key, value);
    this.used += cost;
    for (const [oldest, entry] of this.entries) {
      if (this.used <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.used -= this.sizeOf(oldest, entry);
    }
  }
}
