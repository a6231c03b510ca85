/**
 * Plaza's gateway fetches from subgraphs its own way (keep-alive pool, in-flight sharing,
 * response cache). Whatever it does for speed, its answers must be exactly those of a
 * plain @apollo/gateway over the same subgraphs: data, nulls and errors alike.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlainGateway } from '../bench/plain-gateway.ts';
import { CITIES } from '../subgraphs/kit/world.ts';
// a small deterministic generator (mulberry32), so generated queries are the same every run
import { random } from './support/hostile.ts';
import { postJson, startPlaza, startPlainGatewayOver, type GraphQLResponse, type Plaza } from './support/plaza.ts';

/** A bulk comparison: each request is quick, but a hundred of them on a busy machine can take minutes. */
const BULK_TIMEOUT_MS = 240_000;

const HOME = fs.readFileSync(new URL('../clients/homepage/Home.graphql', import.meta.url), 'utf8');
const FEED = fs.readFileSync(new URL('../bench/operations/CityFeed.graphql', import.meta.url), 'utf8');

let plaza: Plaza;
let plain: PlainGateway;
beforeAll(async () => {
  plaza = await startPlaza();
  plain = await startPlainGatewayOver(Object.values(plaza.subgraphs));
});
afterAll(async () => {
  await plain?.stop();
  await plaza?.stop();
});

/**
 * What a client sees of an answer: status, data, and each error's message, path and code.
 * Errors are compared in path order: GraphQL leaves their order open, and errors of
 * parallel fetches arrive in whichever order the fetches finish, in a plain gateway too.
 */
function seen(response: GraphQLResponse) {
  const errors = response.body.errors?.map((e) => ({ message: e.message, path: e.path, code: e.extensions?.code }));
  const order = (e: { path?: readonly (string | number)[]; message: string }) => `${JSON.stringify(e.path ?? [])} ${e.message}`;
  errors?.sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
  return { status: response.status, data: response.body.data, errors };
}

async function both(query: string, variables: Record<string, unknown> = {}, user?: string) {
  const headers: Record<string, string> = user ? { authorization: `Bearer ${await plaza.tokenFor(user)}` } : {};
  const [ours, theirs] = await Promise.all([postJson(plaza.gateway.url, { query, variables }, headers), postJson(plain.url, { query, variables }, headers)]);
  return { ours: seen(ours), theirs: seen(theirs) };
}

const MERCHANT_FIELDS = ['id', 'name', 'category', 'city', 'popularity', 'miniProgram { appId name }', 'services { id title deepLink }', 'offers(first: 2) { id title remainingStock }', 'offers(first: 0) { id }', '__typename'];
const SERVICE_FIELDS = ['id', 'title', 'category', 'deepLink', '__typename'];
const PLACEMENT_FIELDS = ['id', 'slot', 'title', 'subtitle', 'imageUrl', 'offer { id title }', '__typename'];

function pick(next: () => number, fields: string[]): string[] {
  const chosen = fields.filter(() => next() < 0.5);
  return chosen.length ? chosen : [fields[0]];
}

/** A homepage query with a random choice of fields at every level (some with field errors). */
function generatedQuery(seed: number): string {
  const next = random(seed);
  const merchant = pick(next, MERCHANT_FIELDS).map((f, i) => (next() < 0.2 ? `a${i}: ${f}` : f));
  const service = [...pick(next, SERVICE_FIELDS), `merchant { ${merchant.join(' ')} }`];
  const placement = [...pick(next, PLACEMENT_FIELDS), `service { ${service.join(' ')} }`];
  // one to three sections: several sections fetch the same entities at once (merged fetches)
  const slots = pick(next, ['grid', 'banners', 'cards']);
  const city = CITIES[Math.floor(next() * CITIES.length)];
  return `{ homepage(city: "${city}") { city ${slots.map((slot) => `${slot} { ${placement.join(' ')} }`).join(' ')} } merchant(id: "m${1 + Math.floor(next() * 400)}") { ${merchant.join(' ')} } }`;
}

describe('Plaza answers exactly as a plain Apollo gateway', () => {
  it('for the headline query of a signed-in user, with a known and an unknown merchant', async () => {
    for (const [user, merchantId] of [['u1', 'm1'], ['u7', 'm42'], ['u2', 'no-such-merchant']]) {
      const { ours, theirs } = await both(HOME, { city: 'Shanghai', merchantId }, user);
      expect(ours.data.me.nickname).toMatch(/\w/);
      expect(ours.errors).toBeUndefined();
      expect(ours).toEqual(theirs);
    }
  });

  it('for the benchmark\'s nested city feed, in every city and one without placements', async () => {
    for (const city of [...CITIES, 'Atlantis']) {
      const { ours, theirs } = await both(FEED, { city });
      expect(ours.status).toBe(200);
      expect(ours).toEqual(theirs);
    }
  });

  it('for answers with field errors and nulls', async () => {
    const queries = [
      '{ merchant(id: "m1") { name offers(first: 0) { id } } }',
      '{ merchant(id: "m1") { name offers(first: 51) { id } } }',
      '{ me { nickname } merchant(id: "nope") { name } offer(id: "nope") { title } }',
      '{ homepage(city: "Beijing") { cards { id offer { id title merchant { name } } } } }',
    ];
    for (const query of queries) {
      const { ours, theirs } = await both(query);
      expect(ours).toEqual(theirs);
    }
  });

  it('for entity fetches merged across sections, field errors included, while asking the subgraphs less', async () => {
    const merchant = 'merchant { id name offers(first: 0) { id } services { id } }';
    const query = `{ homepage(city: "Shanghai") { ${['grid', 'banners', 'cards'].map((s) => `${s} { id service { id title ${merchant} } offer { id title } }`).join(' ')} } }`;
    const merchants = plaza.subgraphs.merchants;
    const before = merchants.statements();
    const ours = seen(await postJson(plaza.gateway.url, { query }));
    const ourStatements = merchants.statements() - before;
    const theirs = seen(await postJson(plain.url, { query }));
    const theirStatements = merchants.statements() - before - ourStatements;
    expect(ours).toEqual(theirs);
    // every merchant's offers(first: 0) fails in its own place, in every section
    expect(ours.errors!.length).toBeGreaterThan(3);
    expect(new Set(ours.errors!.map((e) => e.path![1]))).toEqual(new Set(['grid', 'banners', 'cards']));
    // the three sections' services went to merchants as one fetch, not three
    expect(ourStatements).toBeLessThan(theirStatements);
  });

  it('for the headline query, with fewer subgraph requests: fetches nothing waits for go out with the next fetch to their subgraph', async () => {
    const subgraphRequests = () => Object.values(plaza.subgraphs).reduce((sum, sg) => sum + sg.requests(), 0);
    const headers = { authorization: `Bearer ${await plaza.tokenFor('u1')}` };
    const before = subgraphRequests();
    const ours = seen(await postJson(plaza.gateway.url, { query: HOME, variables: { city: 'Shanghai', merchantId: 'm1' } }, headers));
    const ourRequests = subgraphRequests() - before;
    const theirs = seen(await postJson(plain.url, { query: HOME, variables: { city: 'Shanghai', merchantId: 'm1' } }, headers));
    const theirRequests = subgraphRequests() - before - ourRequests;
    expect(ours).toEqual(theirs);
    expect(ourRequests).toBeGreaterThan(0);
    expect(ourRequests).toBeLessThanOrEqual(theirRequests - 2);
  });

  it('for many concurrent identical requests (answers shared in flight stay each caller\'s own)', async () => {
    const runs = await Promise.all(Array.from({ length: 12 }, () => both(FEED, { city: 'Hangzhou' })));
    for (const { ours, theirs } of runs) expect(ours).toEqual(theirs);
    expect(runs[0].ours.data).toEqual(runs[11].ours.data);
  });

  it('for 40 generated queries with random fields, aliases and list sizes', async () => {
    let withErrors = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const query = generatedQuery(seed);
      const { ours, theirs } = await both(query);
      expect({ query, ...ours }).toEqual({ query, ...theirs });
      if (ours.errors) withErrors++;
    }
    // the generator reaches both kinds of answers
    expect(withErrors).toBeGreaterThan(0);
    expect(withErrors).toBeLessThan(40);
  }, BULK_TIMEOUT_MS);
});
