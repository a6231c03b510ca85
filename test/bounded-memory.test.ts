/**
 * No flood of distinct input grows a Plaza process: cities nobody targets, persisted queries,
 * ad-hoc documents and client names each leave every cache at (or under) its budget, as
 * /metrics reports it (plaza_cache_entries, plaza_cache_bytes and their budgets).
 */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryUsageCounter } from '../gateway/stores/memory.ts';
import { OTHER_USES } from '../gateway/stores/types.ts';
import { MemoryBucketStore } from '../gateway/stores/buckets.ts';
import { CandidateCache, PlacementsShared, UNTARGETED, type CityRows } from '../subgraphs/placements/loaders.ts';
import { EVERY_CITY } from '../subgraphs/placements/entities.ts';
import { BoundedCache } from '../platform/caches.ts';
import { growthPercentFor, HEAP_TARGET_DEFAULT_MIB, MAX_GROWTH_PERCENT, MIN_GROWTH_PERCENT, readHeapTargetMiB } from '../platform/heap.ts';
import { connectRedis, REDIS_KEYS, RedisUsageCounter } from '../gateway/stores/redis.ts';
import { sample } from './support/load.ts';
import { byHash, eventually, postJson, startPlaza, type Plaza } from './support/plaza.ts';
import { REDIS, serviceAvailable } from './support/services.ts';
import { testDatabase } from './support/databases.ts';

/** A flood: thousands of quick requests, which on a busy machine can take minutes. */
const FLOOD_TIMEOUT_MS = 240_000;

const KiB = 1024;
const MiB = 1024 * KiB;
const sha256 = (text: string) => crypto.createHash('sha256').update(text).digest('hex');

let plaza: Plaza;
beforeAll(async () => {
  // small budgets, so a flood a test can afford fills them
  plaza = await startPlaza({
    persistedQueries: { apqMaxBytes: 96 * KiB, clientModes: { 'audit-app': 'audit' } },
    operations: { documentCacheMiB: 1, queryPlanCacheMiB: 1 },
  });
});
afterAll(() => plaza?.stop());

const scrape = async (url: string) => (await fetch(url.replace(/\/graphql$/, '/metrics'))).text();
const gatewayMetrics = () => scrape(plaza.gateway.url);
const placementsMetrics = () => scrape(plaza.subgraphs.placements.url);

/** One cache's figures from a /metrics text. */
function cacheIn(text: string, cache: string) {
  return {
    entries: sample(text, 'plaza_cache_entries', { cache }),
    bytes: sample(text, 'plaza_cache_bytes', { cache }),
    maxEntries: sample(text, 'plaza_cache_max_entries', { cache }),
    maxBytes: sample(text, 'plaza_cache_max_bytes', { cache }),
  };
}

/** Sends `count` bodies, `concurrency` at a time; every answer must be a 200 without errors. */
async function flood(count: number, body: (i: number) => unknown, headers: Record<string, string> = {}, concurrency = 8): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        const { status, body: answer } = await postJson(plaza.gateway.url, body(i), headers);
        expect({ i, status, errors: answer.errors }).toEqual({ i, status: 200, errors: undefined });
      }
    }),
  );
}

const CITIES_PER_REQUEST = 20;
const cities = (first: number) => `{ ${Array.from({ length: CITIES_PER_REQUEST }, (_, k) => `c${k}: homepage(city: "nowhere-${first + k}") { cards { id } news { id } }`).join(' ')} }`;

describe(`a flood of distinct input (${testDatabase()})`, () => {
  it('cities nobody targets share one entry of candidates: the placements subgraph keeps none of its own for them', async () => {
    const count = 1000;
    for (let first = 0; first < count; first += CITIES_PER_REQUEST) {
      const { status, body } = await postJson(plaza.gateway.url, { query: cities(first) });
      expect({ status, errors: body.errors }).toEqual({ status: 200, errors: undefined });
    }
    const text = await placementsMetrics();
    // EVERY_CITY's entry alone: the only candidates these cities have are the nationwide ones
    expect(cacheIn(text, 'candidates').entries).toBe(1);
    expect(cacheIn(text, 'untargeted_cities')).toMatchObject({ entries: count, maxEntries: 10_000 });
    expect((plaza.subgraphs.placements.shared as PlacementsShared).candidates).toBeInstanceOf(CandidateCache);
    expect((plaza.subgraphs.placements.shared as PlacementsShared).candidates.size).toEqual({ cities: 1, untargeted: count });
    // the subgraph parsed a new document per request, within its own budget
    const documents = cacheIn(text, 'subgraph_document');
    expect(documents.bytes).toBeLessThanOrEqual(documents.maxBytes);
  });

  it('a city nobody targets is shown the nationwide placements, like any other such city', async () => {
    const feed = async (city: string) => (await plaza.query('query Feed($city: String!) { homepage(city: $city) { news { id } basement { id } } }', { city })).body;
    const a = await feed('nowhere-a');
    expect(a.errors).toBeUndefined();
    expect(a.data.homepage.news.length + a.data.homepage.basement.length).toBeGreaterThan(0);
    expect((await feed('nowhere-b')).data).toEqual(a.data);
  });

  it('persisted queries registered by hash leave the APQ store, the document cache and the plan cache at their byte budgets', async () => {
    const count = 800;
    const query = (i: number) => `query Flood${i} { merchant(id: "m${(i % 300) + 1}") { id f${i}: name } }`;
    await flood(count, (i) => byHash(sha256(query(i)), { query: query(i) }));
    const text = await gatewayMetrics();
    for (const name of ['apq', 'document', 'query_plan']) {
      const cache = cacheIn(text, name);
      expect(cache.maxBytes, name).toBeGreaterThan(0);
      expect(cache.bytes, name).toBeLessThanOrEqual(cache.maxBytes);
      // full: the flood filled it, and the least recently used went
      expect(cache.bytes, name).toBeGreaterThan(0.9 * cache.maxBytes);
      expect(cache.entries, name).toBeLessThan(count);
    }
    expect(cacheIn(text, 'apq').maxBytes).toBe(96 * KiB);
    expect(cacheIn(text, 'document').maxBytes).toBe(1 * MiB);
    expect(cacheIn(text, 'query_plan').maxBytes).toBe(1 * MiB);
    // the most recent registration still runs by its hash alone; the first is forgotten
    const last = await postJson(plaza.gateway.url, byHash(sha256(query(count - 1))));
    expect(last.body.errors).toBeUndefined();
    const first = await postJson(plaza.gateway.url, byHash(sha256(query(0))));
    expect(first.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
  }, FLOOD_TIMEOUT_MS);

  it('ad-hoc documents of an audited client leave the normalized-id cache within its budget', async () => {
    // documents no subgraph is asked about: the flood measures the gateway's own bookkeeping
    await flood(2500, (i) => ({ query: `query Audited${i} { __typename a${i}: __typename }` }), { 'apollographql-client-name': 'audit-app' });
    const cache = cacheIn(await gatewayMetrics(), 'normalized_id');
    expect(cache).toMatchObject({ entries: 2000, maxEntries: 2000 });
    expect(cache.bytes).toBeLessThanOrEqual(cache.maxBytes);
  }, FLOOD_TIMEOUT_MS);

  it('client names sent in a header get at most twenty metric labels of their own; the rest fold into "other"', async () => {
    for (let i = 0; i < 40; i++) await postJson(plaza.gateway.url, { query: '{ __typename }' }, { 'apollographql-client-name': `flood-client-${i}` });
    const text = await gatewayMetrics();
    const clients = new Set([...text.matchAll(/^plaza_gateway_requests_total\{[^}]*client="([^"]*)"/gm)].map((m) => m[1]));
    expect([...clients].filter((name) => name.startsWith('flood-client-')).length).toBeLessThanOrEqual(20);
    expect(clients.has('other')).toBe(true);
  });
});

describe('bounded caches on their own', () => {
  it('an LRU keeps its byte budget, drops the least recently used first and never keeps an entry larger than the budget', () => {
    const cache = new BoundedCache<string, string>('test_lru', { maxBytes: 30 }, (key, value) => key.length + value.length);
    cache.set('a', 'x'.repeat(9));
    cache.set('b', 'y'.repeat(9));
    cache.set('c', 'z'.repeat(9));
    expect(cache.get('a')).toBeDefined(); // a is now the most recently used
    cache.set('d', 'w'.repeat(9));
    expect(cache.bytes()).toBeLessThanOrEqual(30);
    expect(cache.has('b')).toBe(false);
    expect([cache.has('a'), cache.has('c'), cache.has('d')]).toEqual([true, true, true]);
    expect(cache.set('e', 'v'.repeat(100))).toBe(false);
    expect([cache.has('e'), cache.entries()]).toEqual([false, 3]);
    cache.close();
  });

  it('the candidate cache keeps cities targeted by a placement within its budget, and untargeted ones only as names', async () => {
    const cache = new CandidateCache(2_000, 30_000, { cities: 3, untargeted: 50 });
    const nationwide: CityRows = { bySlot: new Map([['NEWS', []]]), citiesById: new Map() };
    const reads: string[] = [];
    const read = async (city: string): Promise<CityRows> => {
      reads.push(city);
      if (city === EVERY_CITY) return nationwide;
      return city.startsWith('real-') ? { bySlot: new Map([[city, []]]), citiesById: new Map() } : UNTARGETED;
    };
    for (let i = 0; i < 500; i++) expect(await cache.candidates(`nowhere-${i}`, read)).toBe(nationwide);
    // every untargeted city was read once, to learn it is untargeted; the nationwide candidates once for all of them
    expect(reads.filter((city) => city === EVERY_CITY)).toHaveLength(1);
    for (let i = 0; i < 10; i++) expect([...(await cache.candidates(`real-${i}`, read)).bySlot.keys()]).toEqual([`real-${i}`]);
    expect(cache.size).toEqual({ cities: 3, untargeted: 50 });
    // a city found untargeted a moment ago is not read again (only the shared entry, if it was pushed out)
    reads.length = 0;
    expect(await cache.candidates('nowhere-499', read)).toBe(nationwide);
    expect(reads.filter((city) => city !== EVERY_CITY)).toEqual([]);
    cache.close();
  });

  it('use counts keep at most their budget of rows; later rows count under "(other)", so totals stay right', async () => {
    const usage = new MemoryUsageCounter(100);
    for (let i = 0; i < 1000; i++) usage.add('app', '1.0.0', `op-${i}`, 'apq');
    usage.add('app', '1.0.0', 'op-0', 'apq');
    const rows = await usage.report();
    expect(rows.length).toBeLessThanOrEqual(101);
    expect(rows.reduce((n, row) => n + row.count, 0)).toBe(1001);
    expect(rows.find((row) => row.operationId === 'op-0')?.count).toBe(2);
    expect(rows.find((row) => row.client === OTHER_USES)).toMatchObject({ appVersion: OTHER_USES, operationId: OTHER_USES, outcome: 'apq', count: 900 });
    await usage.close?.();
  });

  it('use counts in Redis keep their budget of rows too, shared by every replica', async () => {
    if (!(await serviceAvailable('Redis'))) return;
    const redis = connectRedis(REDIS.url);
    const prefix = `plaza-test-${crypto.randomBytes(4).toString('hex')}:`;
    try {
      const usage = new RedisUsageCounter(redis, prefix, undefined, 5);
      for (let i = 0; i < 20; i++) usage.add('app', '1.0.0', `op-${i}`, 'registered');
      usage.add('app', '1.0.0', 'op-0', 'registered');
      const rows = await eventually(
        () => usage.report(),
        (all) => all.reduce((n, row) => n + row.count, 0) === 21,
      );
      expect(rows.length).toBe(6);
      expect(rows.find((row) => row.operationId === 'op-0')?.count).toBe(2);
      expect(rows.find((row) => row.client === OTHER_USES)?.count).toBe(15);
    } finally {
      await redis.del(REDIS_KEYS.usage(prefix));
      await redis.quit();
    }
  });

  it('rate-limit buckets are forgotten least recently used first past their budget', async () => {
    const store = new MemoryBucketStore(100);
    for (let i = 0; i < 1000; i++) await store.take(`ip:10.0.${i >> 8}.${i & 255}`, { burst: 10, perSecond: 1 });
    const figures = sample(await gatewayMetrics(), 'plaza_cache_entries', { cache: 'rate_limit' });
    expect(figures).toBe(100);
    await store.close();
  });
});

describe('the heap target', () => {
  it('lets a small heap double, a heap near its target grow by a tenth, and names a wrong setting', () => {
    expect(growthPercentFor(20 * MiB, 96 * MiB)).toBe(MAX_GROWTH_PERCENT);
    expect(growthPercentFor(80 * MiB, 96 * MiB)).toBe(20);
    expect(growthPercentFor(95 * MiB, 96 * MiB)).toBe(MIN_GROWTH_PERCENT);
    expect(growthPercentFor(200 * MiB, 96 * MiB)).toBe(MIN_GROWTH_PERCENT);
    expect(readHeapTargetMiB({})).toBe(HEAP_TARGET_DEFAULT_MIB);
    expect(readHeapTargetMiB({ PLAZA_HEAP_TARGET_MIB: '0' })).toBe(0);
    expect(() => readHeapTargetMiB({ PLAZA_HEAP_TARGET_MIB: 'lots' })).toThrow(/PLAZA_HEAP_TARGET_MIB/);
  });
});
