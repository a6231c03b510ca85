import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifestFromDocuments, sha256 } from '../gateway/manifests.ts';
import { BYPASS_HEADER, USAGE_PATH } from '../gateway/plugins/persisted-documents.ts';
import { FolderManifestStore } from '../gateway/stores/memory.ts';
import type { UsageRow } from '../gateway/stores/types.ts';
import { sample } from './support/load.ts';
import { byHash, eventually, postJson, startPlaza, type GraphQLResponse, type Plaza } from './support/plaza.ts';

const BYPASS = 'operator-bypass-secret-0123456789abcdef';

const CITY_CARDS = `query CityCards($city: String!) {
  homepage(city: $city) { cards { ...Card } }
}
fragment Card on Placement { id title service { title merchant { name } } }`;
const MY_POINTS = 'query MyPoints { me { nickname points { balance } } }';
const MERCHANT_NAME = 'query MerchantName($id: ID!) { merchant(id: $id) { name } }';

let plaza: Plaza;
let manifestDir: string;
let homepageOps: ReturnType<typeof manifestFromDocuments>;

function idOf(name: string): string {
  const op = homepageOps.operations.find((o) => o.name === name);
  if (!op) throw new Error(`no operation ${name}`);
  return op.id;
}

async function getGraphQL(params: Record<string, unknown>, headers: Record<string, string> = {}): Promise<GraphQLResponse> {
  const url = new URL(plaza.gateway.url);
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, typeof value === 'string' ? value : JSON.stringify(value));
  const res = await fetch(url, { headers: { 'apollo-require-preflight': 'true', ...headers } });
  return { status: res.status, headers: res.headers, body: JSON.parse(await res.text()) };
}

async function uses(): Promise<UsageRow[]> {
  const res = await fetch(new URL(USAGE_PATH, plaza.gateway.url), { headers: { [BYPASS_HEADER]: BYPASS } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { uses: UsageRow[] }).uses;
}

beforeAll(async () => {
  manifestDir = fs.mkdtempSync(path.join(os.tmpdir(), 'plaza-manifests-'));
  homepageOps = manifestFromDocuments(
    [{ path: 'ops.graphql', text: [CITY_CARDS, MY_POINTS, MERCHANT_NAME].join('\n') }],
    'homepage',
    '2.0.0',
  );
  await new FolderManifestStore(manifestDir).publish({ client: 'homepage', appVersion: '2.0.0', json: JSON.stringify(homepageOps) });
  plaza = await startPlaza({
    persistedQueries: {
      manifestDir,
      defaultMode: 'allow',
      clientModes: { homepage: 'safelist', 'audited-app': 'audit', 'strict-app': 'require-id' },
      bypassSecret: BYPASS,
    },
  });
});

afterAll(async () => {
  await plaza?.stop();
  fs.rmSync(manifestDir, { recursive: true, force: true });
});

describe('automatic persisted queries', () => {
  it('a hash the gateway has not seen gets PERSISTED_QUERY_NOT_FOUND, then registering it lets the hash alone run', async () => {
    const query = `query ApqMerchant { merchant(id: "m1") { name } } # ${Date.now()}`;
    const hash = sha256(query);
    const miss = await postJson(plaza.gateway.url, byHash(hash));
    expect(miss.status).toBe(200);
    expect(miss.body.errors?.[0].extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect(miss.body.errors?.[0].message).toBe('PersistedQueryNotFound');

    const register = await postJson(plaza.gateway.url, byHash(hash, { query }));
    expect(register.status).toBe(200);
    expect(register.body.errors).toBeUndefined();
    const name = register.body.data.merchant.name;
    expect(name).toEqual(expect.any(String));

    const hit = await postJson(plaza.gateway.url, byHash(hash));
    expect(hit.status).toBe(200);
    expect(hit.body).toEqual({ data: { merchant: { name } } });
  });

  it('an unknown id is PERSISTED_QUERY_NOT_FOUND, over GET too', async () => {
    const unknown = sha256(`never registered ${Math.random()}`);
    const post = await postJson(plaza.gateway.url, byHash(unknown));
    expect(post.body.errors?.[0].extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    const get = await getGraphQL(byHash(unknown));
    expect(get.status).toBe(200);
    expect(get.body.errors?.[0].extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect(get.body.data).toBeUndefined();
  });

  it('a hash that is not the SHA-256 of the query is refused with 400', async () => {
    const res = await postJson(plaza.gateway.url, byHash(sha256('something else'), { query: '{ __typename }' }));
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0].extensions?.code).toBe('BAD_REQUEST');
  });
});

describe('client modes', () => {
  it('audit mode lets an unregistered operation through and counts it per client and version', async () => {
    const headers = { 'apollographql-client-name': 'audited-app', 'apollographql-client-version': '3.1.0' };
    const query = 'query AuditedOffer { merchant(id: "m2") { name } }';
    for (let i = 0; i < 2; i++) {
      const res = await postJson(plaza.gateway.url, { query }, headers);
      expect(res.status).toBe(200);
      expect(res.body.data.merchant.name).toEqual(expect.any(String));
    }
    const registered = await postJson(plaza.gateway.url, { query: MERCHANT_NAME, variables: { id: 'm1' } }, headers);
    expect(registered.body.errors).toBeUndefined();

    const rows = await uses();
    const unregistered = rows.filter((r) => r.client === 'audited-app' && r.outcome === 'unregistered');
    expect(unregistered).toEqual([{ client: 'audited-app', appVersion: '3.1.0', operationId: expect.stringMatching(/^[a-f0-9]{64}$/), outcome: 'unregistered', count: 2 }]);
    expect(rows).toContainEqual({ client: 'audited-app', appVersion: '3.1.0', operationId: idOf('MerchantName'), outcome: 'registered', count: 1 });
  });

  it('safelist mode accepts the same text with different whitespace and definition order', async () => {
    const reordered = 'fragment Card on Placement{id title service{title merchant{name}}}\n\n\nquery CityCards($city:String!){homepage(city:$city){cards{...Card}}}';
    const res = await postJson(plaza.gateway.url, { query: reordered, variables: { city: 'Shanghai' } }, { 'apollographql-client-name': 'homepage' });
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.homepage.cards.length).toBeGreaterThan(0);
  });

  it('safelist mode refuses a text that is not registered with 403 QUERY_NOT_IN_SAFELIST', async () => {
    const res = await postJson(plaza.gateway.url, { query: '{ merchant(id: "m1") { name category } }' }, { 'apollographql-client-name': 'homepage' });
    expect(res.status).toBe(403);
    expect(res.body.errors?.[0].extensions?.code).toBe('QUERY_NOT_IN_SAFELIST');
    expect(res.body.data).toBeUndefined();
  });

  it('require-id mode refuses any query text with 400 PERSISTED_QUERY_ID_REQUIRED, and runs registered ids', async () => {
    const headers = { 'apollographql-client-name': 'strict-app' };
    const text = await postJson(plaza.gateway.url, { query: MERCHANT_NAME, variables: { id: 'm1' } }, headers);
    expect(text.status).toBe(400);
    expect(text.body.errors?.[0].extensions?.code).toBe('PERSISTED_QUERY_ID_REQUIRED');
    const byId = await postJson(plaza.gateway.url, byHash(idOf('MerchantName'), { variables: { id: 'm1' } }), headers);
    expect(byId.status).toBe(200);
    expect(byId.body.data.merchant.name).toEqual(expect.any(String));
    const unknown = await postJson(plaza.gateway.url, byHash(sha256('not registered')), headers);
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors?.[0].extensions?.code).toBe('PERSISTED_QUERY_NOT_IN_LIST');
  });

  it('an operator with the bypass secret runs any text whatever the mode; a wrong secret does not', async () => {
    const query = '{ merchant(id: "m1") { name category } }';
    const ok = await postJson(plaza.gateway.url, { query }, { 'apollographql-client-name': 'homepage', [BYPASS_HEADER]: BYPASS });
    expect(ok.status).toBe(200);
    expect(ok.body.data.merchant.category).toEqual(expect.any(String));
    const wrong = await postJson(plaza.gateway.url, { query }, { 'apollographql-client-name': 'homepage', [BYPASS_HEADER]: BYPASS.replace('0', '1') });
    expect(wrong.status).toBe(403);
  });

  it('the use counts are for operators only', async () => {
    const res = await fetch(new URL(USAGE_PATH, plaza.gateway.url));
    expect(res.status).toBe(403);
  });
});

describe('persisted queries over GET', () => {
  it('a public homepage operation by id gets a Cache-Control a CDN can use, from the schema cache hints', async () => {
    const res = await getGraphQL(byHash(idOf('CityCards'), { operationName: 'CityCards', variables: { city: 'Shanghai' } }));
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.homepage.cards.length).toBeGreaterThan(0);
    // Placements are hinted 60 s, merchants 300 s, the ranking's coupon affinity (coupons' Merchant) 30 s: the answer keeps the shortest.
    expect(res.headers.get('cache-control')).toBe('max-age=30, public');
  });

  it('the same operation for a signed-in user is private', async () => {
    const res = await getGraphQL(
      byHash(idOf('CityCards'), { variables: { city: 'Shanghai' } }),
      { authorization: `Bearer ${await plaza.tokenFor('u1')}` },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('max-age=30, private');
  });

  it("an operation reading the user's own data is never stored", async () => {
    const res = await getGraphQL(
      byHash(idOf('MyPoints')),
      { authorization: `Bearer ${await plaza.tokenFor('u1')}` },
    );
    expect(res.status).toBe(200);
    expect(res.body.data.me.points.balance).toEqual(expect.any(Number));
    expect(res.headers.get('cache-control')).toBe('no-store');
  });
});

describe('manifests in the watched folder', () => {
  it('a manifest published while the gateway runs is served without a restart, and retiring it unregisters it', async () => {
    const query = `query LateArrival { merchant(id: "m3") { name } }`;
    const manifest = manifestFromDocuments([{ path: 'late.graphql', text: query }], 'strict-app', '9.0.0');
    const id = manifest.operations[0].id;
    const headers = { 'apollographql-client-name': 'strict-app' };
    const store = new FolderManifestStore(manifestDir);
    await store.publish({ client: 'strict-app', appVersion: '9.0.0', json: JSON.stringify(manifest) });
    const served = await eventually(() => postJson(plaza.gateway.url, byHash(id), headers), (r) => r.status === 200);
    expect(served.body.data.merchant.name).toEqual(expect.any(String));
    await store.retire('strict-app', '9.0.0');
    const gone = await eventually(() => postJson(plaza.gateway.url, byHash(id), headers), (r) => r.status === 400);
    expect(gone.body.errors?.[0].extensions?.code).toBe('PERSISTED_QUERY_NOT_IN_LIST');
  });

  it('registered operations are planned ahead: the first request of one finds its query plan cached', async () => {
    const stamp = Date.now();
    const texts = [`query PlannedA { merchant(id: "m4") { name } } # ${stamp}`, `query PlannedB { homepage(city: "Shanghai") { cards { id service { title } } } } # ${stamp}`];
    const manifest = manifestFromDocuments(texts.map((text, k) => ({ path: `planned-${k}.graphql`, text })), 'planned-app', '1.0.0');
    const [a, b] = manifest.operations.map((op) => op.id);
    const headers = { 'apollographql-client-name': 'planned-app' };
    const metrics = async () => (await fetch(plaza.gateway.url.replace('/graphql', '/metrics'))).text();
    const plans = async () => sample(await metrics(), 'plaza_cache_entries', { cache: 'query_plan' });
    const plansBefore = await plans();
    await new FolderManifestStore(manifestDir).publish({ client: 'planned-app', appVersion: '1.0.0', json: JSON.stringify(manifest) });
    await eventually(() => postJson(plaza.gateway.url, byHash(a, { operationName: 'PlannedA' }), headers), (r) => r.status === 200 && !r.body.errors);
    // the warm-up after the reload runs in the background: wait until both operations' plans are in the cache
    await expect.poll(plans, { timeout: 10_000 }).toBeGreaterThanOrEqual(plansBefore + 2);
    const lookups = (text: string, outcome: string) => sample(text, 'plaza_cache_lookups_total', { cache: 'query_plan', outcome });
    const before = await metrics();
    const first = await postJson(plaza.gateway.url, byHash(b, { operationName: 'PlannedB' }), headers);
    expect(first.status).toBe(200);
    expect(first.body.data.homepage.cards.length).toBeGreaterThan(0);
    const after = await metrics();
    expect(lookups(after, 'miss') - lookups(before, 'miss')).toBe(0);
    expect(lookups(after, 'hit') - lookups(before, 'hit')).toBe(1);
  });
});
