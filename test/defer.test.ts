/**
 * @defer through the gateway: a client that takes answers in parts (Apollo Client's
 * `multipart/mixed;deferSpec=20220824`) gets the primary part first and each deferred part
 * as an `incremental` item at its path; merged, they equal the answer to the same query
 * without @defer. A client that does not take parts gets the whole answer at once, and the
 * gateway's plugins (limits, authorization) apply to deferred operations as to any other.
 */
import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { Defer20220824Handler } from '@apollo/client/incremental';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson, startPlaza, type Plaza } from './support/plaza.ts';
import { testDatabase } from './support/databases.ts';

const ACCEPT_PARTS = 'multipart/mixed;deferSpec=20220824,application/json';

let plaza: Plaza;
beforeAll(async () => {
  plaza = await startPlaza();
});
afterAll(() => plaza?.stop());

interface Part {
  data?: Record<string, unknown> | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
  hasNext?: boolean;
  incremental?: { data: Record<string, unknown> | null; path: (string | number)[]; label?: string; errors?: unknown[] }[];
}

/** Sends a query taking parts; returns the response's content type and its parts, in order. */
async function postForParts(query: string, variables: Record<string, unknown>, headers: Record<string, string> = {}): Promise<{ status: number; type: string; parts: Part[] }> {
  const res = await fetch(plaza.gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: ACCEPT_PARTS, ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const type = res.headers.get('content-type') ?? '';
  const text = await res.text();
  if (!type.startsWith('multipart/mixed')) return { status: res.status, type, parts: [JSON.parse(text)] };
  // boundary "-": parts are separated by \r\n---, the last one closed by \r\n-----
  expect(text.startsWith('\r\n---\r\n')).toBe(true);
  expect(text.endsWith('\r\n-----\r\n')).toBe(true);
  const parts = text
    .slice('\r\n---\r\n'.length, -'\r\n-----\r\n'.length)
    .split('\r\n---\r\n')
    .map((chunk) => {
      const [head, body] = chunk.split('\r\n\r\n');
      expect(head.toLowerCase()).toBe('content-type: application/json; charset=utf-8');
      return JSON.parse(body) as Part;
    });
  return { status: res.status, type, parts };
}

function mergeInto(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(source)) {
    const existing = target[key];
    if (existing && typeof existing === 'object' && value && typeof value === 'object' && !Array.isArray(value)) mergeInto(existing as Record<string, unknown>, value as Record<string, unknown>);
    else target[key] = value;
  }
}

/** The answer the parts make once merged, as Apollo Client merges them. */
function merged(parts: Part[]): { data: Record<string, unknown>; errors: unknown[] } {
  const data = structuredClone(parts[0].data) as Record<string, unknown>;
  const errors: unknown[] = [...(parts[0].errors ?? [])];
  for (const part of parts.slice(1)) {
    for (const item of part.incremental ?? []) {
      let at: unknown = data;
      for (const key of item.path) at = (at as Record<string | number, unknown>)[key];
      if (item.data) mergeInto(at as Record<string, unknown>, item.data);
      errors.push(...(item.errors ?? []));
    }
  }
  return { data, errors };
}

const DEFERRED = `query Feed($city: String!) {
  homepage(city: $city) {
    grid { id service { title } }
    ... @defer(label: "cards") {
      cards { id service { title merchant { name ... @defer(label: "offers") { offers(first: 2) { title remainingStock } } } } }
    }
  }
}`;
const WHOLE = DEFERRED.replace(/ @defer\(label: "\w+"\)/g, '');

describe(`@defer (${testDatabase()})`, () => {
  it('answers in parts: the grid first, then the cards, then each card merchant\'s offers, which merged equal the whole answer', async () => {
    const { status, type, parts } = await postForParts(DEFERRED, { city: 'Shanghai' });
    expect(status).toBe(200);
    expect(type).toBe('multipart/mixed; boundary="-"; deferSpec=20220824');
    // the first part has the grid only
    expect(parts[0].hasNext).toBe(true);
    const homepage = (parts[0].data as { homepage: Record<string, unknown> }).homepage;
    expect(Object.keys(homepage)).toEqual(['grid']);
    // then the cards at the homepage, and the offers at every card's merchant
    const items = parts.slice(1).flatMap((part) => part.incremental ?? []);
    expect(items.filter((item) => item.label === 'cards').map((item) => item.path)).toEqual([['homepage']]);
    const offers = items.filter((item) => item.label === 'offers');
    expect(offers.length).toBeGreaterThan(0);
    for (const item of offers) expect(item.path).toEqual(['homepage', 'cards', expect.any(Number), 'service', 'merchant']);
    expect(parts.at(-1)!.hasNext).toBe(false);
    for (const part of parts.slice(1, -1)) expect(part.hasNext).toBe(true);

    const whole = await plaza.query(WHOLE, { city: 'Shanghai' });
    expect(whole.body.errors).toBeUndefined();
    expect(merged(parts)).toEqual({ data: whole.body.data, errors: [] });
    // fields in the order the query asks for them, in every part
    expect(JSON.stringify(merged(parts).data)).toBe(JSON.stringify(whole.body.data));
  });

  it('a signed-in query with deferred points and a deferred unknown merchant merges to the same answer as without @defer', async () => {
    const query = `query Home($city: String!, $a: ID!, $b: ID!) {
      me { nickname ... @defer { points { balance tier } } }
      homepage(city: $city) { grid { service { title } } }
      known: merchant(id: $a) { name ... @defer(label: "known") { offers(first: 3) { title } } }
      unknown: merchant(id: $b) { name ... @defer(label: "unknown") { offers(first: 3) { title } } }
    }`;
    const variables = { city: 'Shanghai', a: 'm1', b: 'm-nobody' };
    const headers = { authorization: `Bearer ${await plaza.tokenFor('u1')}` };
    const { parts } = await postForParts(query, variables, headers);
    const whole = await postJson(plaza.gateway.url, { query: query.replace(/ @defer(\(label: "\w+"\))?/g, ''), variables }, headers);
    expect(whole.body.data.unknown).toBeNull();
    expect(merged(parts)).toEqual({ data: whole.body.data, errors: [] });
    expect(JSON.stringify(merged(parts).data)).toBe(JSON.stringify(whole.body.data));
    // nothing is delivered under the merchant that does not exist
    expect(parts.slice(1).flatMap((part) => part.incremental ?? []).some((item) => item.label === 'unknown')).toBe(false);
  });

  it('an anonymous visitor deferring next to a field only the signed-in may read gets the first part with its error, then the rest', async () => {
    const query = `query Feed($city: String!) { me { id nickname points { balance } } homepage(city: $city) { grid { id } ... @defer { cards { id } } } }`;
    const { parts } = await postForParts(query, { city: 'Beijing' });
    const whole = await plaza.query(query.replace(' @defer', ''), { city: 'Beijing' });
    expect(parts[0].data).not.toBeNull();
    const answer = merged(parts);
    expect(answer.data).toEqual(whole.body.data);
    expect(answer.errors).toEqual(whole.body.errors ?? []);
  });

  it('a field only the signed-in may read, inside a deferred fragment: null in the later part, with its error, as without @defer', async () => {
    const query = `{ merchant(id: "m1") { name } ... @defer(label: "order") { order(id: "o1") { id } } }`;
    const { parts } = await postForParts(query, {});
    expect(parts[0]).toEqual({ data: { merchant: expect.any(Object) }, hasNext: true });
    const item = parts.flatMap((part) => part.incremental ?? []).find((i) => i.label === 'order');
    expect(item).toMatchObject({ data: { order: null }, path: [], errors: [{ path: ['order'], extensions: { code: 'UNAUTHENTICATED' } }] });
    const whole = await plaza.query(query.replace(' @defer(label: "order")', ''), {});
    const answer = merged(parts);
    expect(answer.data).toEqual(whole.body.data);
    expect(answer.errors).toEqual(whole.body.errors);
  });

  it('a non-null field a token lacks the scope for, inside a deferred fragment: the item is null, the first part stands', async () => {
    const token = await plaza.tokenFor('u1');
    const query = `query Feed($city: String!) { homepage(city: $city) { grid { id } } ... @defer(label: "review") { placementsForReview { id } } }`;
    const { parts } = await postForParts(query, { city: 'Shanghai' }, { authorization: `Bearer ${token}` });
    expect((parts[0].data as { homepage: { grid: unknown[] } }).homepage.grid.length).toBeGreaterThan(0);
    const item = parts.flatMap((part) => part.incremental ?? []).find((i) => i.label === 'review');
    expect(item).toMatchObject({ data: null, path: [], errors: [{ path: ['placementsForReview'], extensions: { code: 'FORBIDDEN', field: 'Query.placementsForReview' } }] });
    // without @defer the same null reaches the whole answer
    const whole = await plaza.query(query.replace(' @defer(label: "review")', ''), { city: 'Shanghai' }, { user: 'u1' });
    expect(whole.body.data).toBeNull();
    expect(whole.body.errors).toMatchObject([{ path: ['placementsForReview'], extensions: { code: 'FORBIDDEN' } }]);
  });

  it('a client that does not take parts gets the whole answer at once', async () => {
    const deferred = await postJson(plaza.gateway.url, { query: DEFERRED, variables: { city: 'Shanghai' } });
    const whole = await plaza.query(WHOLE, { city: 'Shanghai' });
    expect(deferred.headers.get('content-type')).toMatch(/^application\/json/);
    expect(deferred.body).toEqual(whole.body);
  });

  it("the gateway's limits apply to a deferred operation as to any other", async () => {
    const aliases = Array.from({ length: 40 }, (_, i) => `a${i}: __typename`).join(' ');
    const { status, type, parts } = await postForParts(`query { homepage(city: "Shanghai") { grid { id } ... @defer { ${aliases} } } }`, {});
    expect(type).toMatch(/^application\/json/);
    expect(status).toBe(400);
    expect(parts[0].errors?.[0]?.extensions?.code).toBe('TOO_MANY_ALIASES');
  });

  it('Apollo Client shows the grid first, then the cards as they arrive, the same as the whole answer', async () => {
    const client = new ApolloClient({ link: new HttpLink({ uri: plaza.gateway.url }), cache: new InMemoryCache(), incrementalHandler: new Defer20220824Handler() });
    const seen: { cards: boolean; dataState: string }[] = [];
    const final = await new Promise<unknown>((resolve, reject) => {
      const subscription = client.watchQuery({ query: gql(DEFERRED), variables: { city: 'Shanghai' } }).subscribe({
        next: (result) => {
          const homepage = (result.data as { homepage?: { cards?: unknown } } | undefined)?.homepage;
          if (!homepage) return;
          seen.push({ cards: homepage.cards !== undefined, dataState: result.dataState });
          if (result.dataState === 'complete') {
            subscription.unsubscribe();
            resolve(result.data);
          }
        },
        error: reject,
      });
    });
    // streamed: a first result without the cards, then the complete one
    expect(seen[0]).toEqual({ cards: false, dataState: 'streaming' });
    expect(seen.at(-1)).toEqual({ cards: true, dataState: 'complete' });
    const whole = await plaza.query(WHOLE, { city: 'Shanghai' });
    const strip = (value: unknown): unknown => JSON.parse(JSON.stringify(value, (key, v) => (key === '__typename' ? undefined : v)));
    expect(strip(final)).toEqual(whole.body.data);
    client.stop();
  });
});
