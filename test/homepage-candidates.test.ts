import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CandidateCache, type CityRows } from '../subgraphs/placements/loaders.ts';

/** A read of a city's candidates that the test settles by hand, counting the reads. */
function reads() {
  const pending: { resolve(rows: CityRows): void; reject(error: Error): void }[] = [];
  let count = 0;
  return {
    read: () => {
      count++;
      return new Promise<CityRows>((resolve, reject) => pending.push({ resolve, reject }));
    },
    get count() {
      return count;
    },
    settle(label: string) {
      pending.shift()!.resolve({ bySlot: new Map([[label, []]]), citiesById: new Map() });
    },
    fail() {
      pending.shift()!.reject(new Error('database unreachable'));
    },
  };
}

const labelOf = async (rows: Promise<CityRows>) => [...(await rows).bySlot.keys()][0];
const flush = () => new Promise((resolve) => setImmediate(resolve));

/** A cache whose Shanghai candidates were read once (labelled `label`), and the reads behind it. */
async function primed(label: string) {
  const cache = new CandidateCache(2_000, 30_000);
  const db = reads();
  const first = cache.rows('Shanghai', db.read);
  db.settle(label);
  await first;
  return { cache, db };
}

describe("the city's shared candidate placements", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-06-01T12:00:00Z'));
  });
  afterEach(() => vi.useRealTimers());

  it('reads a city once for concurrent and repeated requests within the TTL', async () => {
    const cache = new CandidateCache(2_000, 30_000);
    const db = reads();
    const a = cache.rows('Shanghai', db.read);
    const b = cache.rows('Shanghai', db.read);
    db.settle('first');
    expect(await labelOf(a)).toBe('first');
    expect(await labelOf(b)).toBe('first');
    vi.advanceTimersByTime(1_999);
    expect(await labelOf(cache.rows('Shanghai', db.read))).toBe('first');
    expect(db.count).toBe(1);
  });

  it('past the TTL serves the stale candidates at once while one background read replaces them', async () => {
    const { cache, db } = await primed('first');
    vi.advanceTimersByTime(5_000);
    // neither request waits: both get the stale rows, and only one read starts
    expect(await labelOf(cache.rows('Shanghai', db.read))).toBe('first');
    expect(await labelOf(cache.rows('Shanghai', db.read))).toBe('first');
    expect(db.count).toBe(2);
    db.settle('second');
    await flush();
    expect(await labelOf(cache.rows('Shanghai', db.read))).toBe('second');
    expect(db.count).toBe(2);
  });

  it('never serves candidates older than maxStale: the request waits for a fresh read', async () => {
    const { cache, db } = await primed('first');
    vi.advanceTimersByTime(30_000);
    const fresh = cache.rows('Shanghai', db.read);
    db.settle('fresh');
    expect(await labelOf(fresh)).toBe('fresh');
  });

  it('a change drops every city, and a read begun before the change never repopulates the cache', async () => {
    const { cache, db } = await primed('before');
    vi.advanceTimersByTime(5_000);
    cache.rows('Shanghai', db.read); // starts a background read of the old state
    cache.clear(); // a placement was reviewed
    const after = cache.rows('Shanghai', db.read);
    db.settle('old state'); // the background read finishes late
    db.settle('after');
    await flush();
    expect(await labelOf(after)).toBe('after');
    expect(await labelOf(cache.rows('Shanghai', db.read))).toBe('after');
  });

  it('a failed read is not kept: the next request reads again; a failed background read keeps the stale rows', async () => {
    const cache = new CandidateCache(2_000, 30_000);
    const db = reads();
    const failed = cache.rows('Shanghai', db.read);
    db.fail();
    await expect(failed).rejects.toThrow('database unreachable');
    const retried = cache.rows('Shanghai', db.read);
    db.settle('retried');
    expect(await labelOf(retried)).toBe('retried');
    vi.advanceTimersByTime(5_000);
    expect(await labelOf(cache.rows('Shanghai', db.read))).toBe('retried');
    db.fail();
    await flush();
    expect(await labelOf(cache.rows('Shanghai', db.read))).toBe('retried');
    expect(db.count).toBe(4); // the failed background read is retried by the next request
  });
});
