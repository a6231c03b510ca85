import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readResponseCacheConfig } from '../gateway/config.ts';
import { RESPONSE_CACHE_HEADER } from '../gateway/plugins/response-cache.ts';
import { MemoryResponseCacheStore, responseEntryBytes } from '../gateway/stores/response-cache.ts';
import { asMerchant, asReviewer, REVIEW, SUBMIT, submission } from './support/flows.ts';
import { startPlaza, type Plaza } from './support/plaza.ts';

const CARDS = `query Cards($city: String!) { homepage(city: $city) { cards { id title merchant { id name } } } }`;

let plaza: Plaza;
beforeAll(async () => {
  plaza = await startPlaza({ responseCache: { enabled: true } });
});
afterAll(() => plaza?.stop());

describe('the response cache of public answers', () => {
  it('answers the anonymous homepage of a city from the cache the second time, with the same data', async () => {
    const first = await plaza.query(CARDS, { city: 'Shanghai' });
    expect(first.status).toBe(200);
    expect(first.body.errors).toBeUndefined();
    expect(first.headers.get(RESPONSE_CACHE_HEADER)).toBe('miss');
    expect(first.body.data.homepage.cards.length).toBeGreaterThan(0);

    const second = await plaza.query(CARDS, { city: 'Shanghai' });
    expect(second.headers.get(RESPONSE_CACHE_HEADER)).toBe('hit');
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('cache-control')).toMatch(/max-age=\d+, public/);

    // another city is another answer
    const other = await plaza.query(CARDS, { city: 'Beijing' });
    expect(other.headers.get(RESPONSE_CACHE_HEADER)).toBe('miss');
    expect(other.body.data).not.toEqual(first.body.data);
  });

  it('never serves a signed-in caller from the cache', async () => {
    await plaza.query(CARDS, { city: 'Hangzhou' });
    const signedIn = await plaza.query(CARDS, { city: 'Hangzhou' }, { user: 'u1' });
    expect(signedIn.body.errors).toBeUndefined();
    expect(signedIn.headers.get(RESPONSE_CACHE_HEADER)).toBeNull();
  });

  it('does not keep answers that carry errors', async () => {
    const bad = '{ merchant(id: "m1") { name offers(first: 0) { id } } }';
    const first = await plaza.query(bad);
    expect(first.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const second = await plaza.query(bad);
    expect(second.headers.get(RESPONSE_CACHE_HEADER)).toBe('miss');
    expect(second.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('shows a newly approved placement at once, though the old feed was cached', async () => {
    const before = await plaza.query(CARDS, { city: 'Xiamen' });
    expect(before.body.data.homepage.cards).toEqual([]);
    expect((await plaza.query(CARDS, { city: 'Xiamen' })).headers.get(RESPONSE_CACHE_HEADER)).toBe('hit');

    const input = submission('m11');
    const submitted = await plaza.query(SUBMIT, { input }, asMerchant('m11'));
    expect(submitted.body.errors).toBeUndefined();
    const approved = await plaza.query(REVIEW, { id: submitted.body.data.submitPlacement.id, decision: 'APPROVE', priority: 70 }, asReviewer);
    expect(approved.body.errors).toBeUndefined();

    const after = await plaza.query(CARDS, { city: 'Xiamen' });
    expect(after.headers.get(RESPONSE_CACHE_HEADER)).toBe('miss');
    expect(after.body.data.homepage.cards.map((c: { id: string }) => c.id)).toEqual([submitted.body.data.submitPlacement.id]);
  });
});

describe('the in-memory answer store', () => {
  it('forgets answers once their time is up', async () => {
    let now = 0;
    const store = new MemoryResponseCacheStore(1000, () => now);
    await store.set('a', 'answer', 10);
    now = 9_999;
    expect(await store.get('a')).toBe('answer');
    now = 10_000;
    expect(await store.get('a')).toBeUndefined();
  });

  it('keeps within its memory budget by dropping the least recently used answers', async () => {
    // room for two answers of four characters, as the store counts them
    const store = new MemoryResponseCacheStore(2 * responseEntryBytes('a', 'aaaa') + 1);
    await store.set('a', 'aaaa', 60);
    await store.set('b', 'bbbb', 60);
    expect(await store.get('a')).toBe('aaaa'); // a is now the most recently used
    await store.set('c', 'cccc', 60);
    expect(await store.get('b')).toBeUndefined();
    expect(await store.get('a')).toBe('aaaa');
    expect(await store.get('c')).toBe('cccc');
  });

  it('invalidates by generation', async () => {
    const store = new MemoryResponseCacheStore(100);
    expect(await store.generation('feed')).toBe(0);
    await store.bump('feed');
    expect(await store.generation('feed')).toBe(1);
  });
});

describe('response cache settings', () => {
  it('is off unless switched on, with a 64 MiB memory budget', () => {
    expect(readResponseCacheConfig({})).toEqual({ enabled: false, maxBytes: 64 * 1024 * 1024 });
    expect(readResponseCacheConfig({ PLAZA_RESPONSE_CACHE: 'true', PLAZA_RESPONSE_CACHE_MAX_BYTES: '1000' })).toEqual({ enabled: true, maxBytes: 1000 });
  });

  it('refuses a wrong value, naming the variable', () => {
    expect(() => readResponseCacheConfig({ PLAZA_RESPONSE_CACHE: 'maybe' })).toThrow(/PLAZA_RESPONSE_CACHE: expected true or false/);
    expect(() => readResponseCacheConfig({ PLAZA_RESPONSE_CACHE_MAX_BYTES: '-1' })).toThrow(/PLAZA_RESPONSE_CACHE_MAX_BYTES/);
  });
});
