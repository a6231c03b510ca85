/**
 * Bounded caches, and what /metrics shows of them. Every cache or map of Plaza that grows
 * with what callers send is a BoundedCache: least recently used first out, within an entry
 * budget, a byte budget or both, the bytes being an estimate of the heap its entries hold.
 * Each reports itself as plaza_cache_entries{cache}, plaza_cache_bytes{cache} and its
 * budgets plaza_cache_max_entries{cache} and plaza_cache_max_bytes{cache}.
 */
import { LRUCache } from 'lru-cache';
import { Gauge, type Registry } from 'prom-client';

/** Heap an entry takes besides its key and value: the LRU's slot, links and map entry. */
export const ENTRY_BYTES = 64;

/** Approximate heap of a string: its header and, over-counting one-byte text a little, its UTF-8 bytes. */
export function stringBytes(text: string): number {
  return 16 + Buffer.byteLength(text);
}

/** A cache's budgets: at least one of the two. */
export interface CacheBudget {
  /** Most entries kept. Default: none (the byte budget alone bounds it). */
  maxEntries?: number;
  /** Most approximate bytes kept (the entries' sizes summed). Default: none (the entry budget alone bounds it). */
  maxBytes?: number;
}

/** What /metrics reads of one cache. */
export interface CacheFigures {
  readonly name: string;
  entries(): number;
  bytes(): number;
  readonly maxEntries: number | null;
  readonly maxBytes: number | null;
}

/** One cache name's figures, summed over the instances of this process. */
export interface CacheTotals {
  cache: string;
  entries: number;
  bytes: number;
  maxEntries: number | null;
  maxBytes: number | null;
}

/**
 * The caches of this process that report themselves. Weakly held: a cache nobody uses any
 * more (a stopped gateway's, a test's) stops reporting once collected, or at once when closed.
 */
const reporting = new Set<WeakRef<CacheFigures>>();

/** Reports a cache in /metrics until the returned function is called. */
export function reportCache(cache: CacheFigures): () => void {
  const ref = new WeakRef(cache);
  reporting.add(ref);
  return () => void reporting.delete(ref);
}

/** Every reporting cache's figures, instances of one name added up, by name. */
export function cacheTotals(): CacheTotals[] {
  const totals = new Map<string, CacheTotals>();
  for (const ref of reporting) {
    const cache = ref.deref();
    if (!cache) {
      reporting.delete(ref);
      continue;
    }
    const total = totals.get(cache.name) ?? { cache: cache.name, entries: 0, bytes: 0, maxEntries: null, maxBytes: null };
    total.entries += cache.entries();
    total.bytes += cache.bytes();
    if (cache.maxEntries !== null) total.maxEntries = (total.maxEntries ?? 0) + cache.maxEntries;
    if (cache.maxBytes !== null) total.maxBytes = (total.maxBytes ?? 0) + cache.maxBytes;
    totals.set(cache.name, total);
  }
  return [...totals.values()].sort((a, b) => a.cache.localeCompare(b.cache));
}

/** Adds the cache gauges to a registry; they are read when /metrics is. */
export function registerCacheMetrics(registry: Registry): void {
  const gauge = (name: string, help: string, read: (t: CacheTotals) => number | null) =>
    new Gauge<'cache'>({
      name,
      help,
      labelNames: ['cache'],
      registers: [registry],
      collect() {
        this.reset();
        for (const total of cacheTotals()) {
          const value = read(total);
          if (value !== null) this.set({ cache: total.cache }, value);
        }
      },
    });
  gauge('plaza_cache_entries', 'Entries held by each bounded cache of this process', (t) => t.entries);
  gauge('plaza_cache_bytes', 'Approximate heap bytes held by each bounded cache of this process (its entries sized as it counts them against its budget)', (t) => t.bytes);
  gauge('plaza_cache_max_entries', 'Entry budget of each cache that has one', (t) => t.maxEntries);
  gauge('plaza_cache_max_bytes', 'Byte budget of each cache that has one', (t) => t.maxBytes);
}

/**
 * A least-recently-used cache within its budgets (lru-cache underneath), reporting itself
 * in /metrics under `name` until closed. An entry larger than the whole byte budget is not kept.
 */
export class BoundedCache<K extends {}, V extends {}> implements CacheFigures {
  private readonly lru: LRUCache<K, V>;
  readonly maxEntries: number | null;
  readonly maxBytes: number | null;
  private readonly unreport: () => void;

  constructor(
    readonly name: string,
    budget: CacheBudget,
    /** Approximate heap bytes of one entry, its key and value included. */
    private readonly sizeOf: (key: K, value: V) => number,
  ) {
    if (!budget.maxEntries && !budget.maxBytes) throw new Error(`cache ${name} needs an entry or a byte budget`);
    this.maxEntries = budget.maxEntries ?? null;
    this.maxBytes = budget.maxBytes ?? null;
    this.lru = new LRUCache<K, V>({
      ...(budget.maxEntries ? { max: budget.maxEntries } : {}),
      // sizes are always counted, so /metrics shows the bytes of entry-bounded caches too
      maxSize: budget.maxBytes ?? Number.MAX_SAFE_INTEGER,
    });
    this.unreport = reportCache(this);
  }

  entries(): number {
    return this.lru.size;
  }

  bytes(): number {
    return this.lru.calculatedSize;
  }

  /** The value, now the most recently used. */
  get(key: K): V | undefined {
    return this.lru.get(key);
  }

  /** The value, its place in the LRU order unchanged. */
  peek(key: K): V | undefined {
    return this.lru.peek(key);
  }

  has(key: K): boolean {
    return this.lru.has(key);
  }

  /** Keeps the value, dropping the least recently used entries past a budget; false when it alone is over the byte budget (then nothing is kept for the key). */
  set(key: K, value: V): boolean {
    const size = Math.max(1, Math.ceil(this.sizeOf(key, value)));
    if (this.maxBytes !== null && size > this.maxBytes) {
      this.lru.delete(key);
      return false;
    }
    this.lru.set(key, value, { size });
    return true;
  }

  delete(key: K): boolean {
    return this.lru.delete(key);
  }

  clear(): void {
    this.lru.clear();
  }

  /** Entries from the most recently used. */
  *[Symbol.iterator](): IterableIterator<[K, V]> {
    yield* this.lru.entries();
  }

  /** Empties the cache and stops reporting it. */
  close(): void {
    this.lru.clear();
    this.unreport();
  }
}

/**
 * A BoundedCache behind Apollo's KeyValueCache interface, for the caches Apollo takes
 * through its public options (Apollo Server's `documentStore`, @apollo/gateway's
 * `queryPlannerConfig.cache`). Time-to-live options are not used by either and are ignored.
 */
export class BoundedKeyValueCache<V extends {}> {
  readonly cache: BoundedCache<string, V>;

  constructor(name: string, budget: CacheBudget, sizeOf: (key: string, value: V) => number) {
    this.cache = new BoundedCache(name, budget, sizeOf);
  }

  async get(key: string): Promise<V | undefined> {
    return this.cache.get(key);
  }

  async set(key: string, value: V): Promise<void> {
    this.cache.set(key, value);
  }

  async delete(key: string): Promise<boolean> {
    return this.cache.delete(key);
  }

  clear(): void {
    this.cache.clear();
  }

  close(): void {
    this.cache.close();
  }
}
