import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callPlaza } from '../clients/partner/partner.ts';
import { parsePartnerKeys, type PartnerKey } from '../gateway/config.ts';
import { manifestFromDocuments, sha256 } from '../gateway/manifests.ts';
import { hashApiKey } from '../gateway/plugins/clients.ts';
import { FolderManifestStore } from '../gateway/stores/memory.ts';
import { gatewayPlugins } from '../gateway/plugins/index.ts';
import { useLogging } from '../gateway/plugins/logging.ts';
import { runPq } from '../gateway/cli/pq.ts';
import { startGateway, type RunningGateway } from '../gateway/server.ts';
import type { Logger } from '../platform/log.ts';
import { byHash, eventually, postJson, startPlaza, testGatewayConfig, type Plaza } from './support/plaza.ts';

const ACME_KEY = 'pk_test_acme_0123456789abcdefghijklmnop';
const OTHER_KEY = 'pk_test_other_0123456789abcdefghijklmnop';
const LEAVING_KEY = 'pk_test_leaving_0123456789abcdefghijklmn';
const OPEN_KEY = 'pk_test_open_0123456789abcdefghijklmnopq';
const SNEAKY_KEY = 'pk_test_sneaky_0123456789abcdefghijklmno';
const REVIEW_QUERY = 'query SneakyReview { placementsForReview(first: 5) { id title status } }';
const OTHER_QUERY = 'query OtherPartnerMerchant($id: ID!) { merchant(id: $id) { name city } }';

const partnerManifest = JSON.parse(fs.readFileSync(new URL('../clients/partner/manifest.json', import.meta.url), 'utf8'));
const cityCardsId: string = partnerManifest.operations.find((op: { name: string }) => op.name === 'PartnerCityCards').id;

let plaza: Plaza;
let dir: string;
let keysFile: string;
const partners: PartnerKey[] = [
  { name: 'acme-travel', keySha256: hashApiKey(ACME_KEY), mode: 'require-id', revoked: false },
  { name: 'other-partner', keySha256: hashApiKey(OTHER_KEY), mode: 'require-id', revoked: false },
  { name: 'leaving-partner', keySha256: hashApiKey(LEAVING_KEY), mode: 'require-id', revoked: false },
  // a partner allowed to send query texts: still only the contract exists for it
  { name: 'open-partner', keySha256: hashApiKey(OPEN_KEY), mode: 'allow', revoked: false },
  { name: 'sneaky-partner', keySha256: hashApiKey(SNEAKY_KEY), mode: 'require-id', revoked: false },
];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plaza-partner-'));
  const store = new FolderManifestStore(path.join(dir, 'manifests'));
  await store.publish({ client: 'acme-travel', appVersion: '1.0.0', json: JSON.stringify(partnerManifest) });
  const other = manifestFromDocuments([{ path: 'other.graphql', text: OTHER_QUERY }], 'other-partner', '1.0.0');
  await store.publish({ client: 'other-partner', appVersion: '1.0.0', json: JSON.stringify(other) });
  // dropped into the folder by hand, past `pq publish`: it asks for a reviewer-only field
  const sneaky = manifestFromDocuments([{ path: 'sneaky.graphql', text: REVIEW_QUERY }], 'sneaky-partner', '1.0.0');
  await store.publish({ client: 'sneaky-partner', appVersion: '1.0.0', json: JSON.stringify(sneaky) });
  keysFile = path.join(dir, 'partner-keys.json');
  fs.writeFileSync(keysFile, JSON.stringify(partners));
  plaza = await startPlaza({
    persistedQueries: { manifestDir: path.join(dir, 'manifests'), partners: parsePartnerKeys('test', fs.readFileSync(keysFile, 'utf8')), partnerKeysFile: keysFile },
  });
});

afterAll(async () => {
  await plaza?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('partner access', () => {
  it('a partner cannot run an unregistered operation: a query text is refused with 400 PERSISTED_QUERY_ID_REQUIRED', async () => {
    const res = await postJson(plaza.gateway.url, { query: '{ merchant(id: "m1") { name } }' }, { 'x-api-key': ACME_KEY });
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0].extensions?.code).toBe('PERSISTED_QUERY_ID_REQUIRED');
    expect(res.body.data).toBeUndefined();
  });

  it('a partner cannot run an id outside its manifest: 400 PERSISTED_QUERY_NOT_IN_LIST, even registering it with APQ', async () => {
    const query = '{ merchant(id: "m1") { name } }';
    const unknown = await postJson(plaza.gateway.url, byHash(sha256(query)), { 'x-api-key': ACME_KEY });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors?.[0].extensions?.code).toBe('PERSISTED_QUERY_NOT_IN_LIST');
    const register = await postJson(plaza.gateway.url, byHash(sha256(query), { query }), { 'x-api-key': ACME_KEY });
    expect(register.status).toBe(400);
    expect(register.body.errors?.[0].extensions?.code).toBe('PERSISTED_QUERY_NOT_IN_LIST');
  });

  it("a partner cannot run another partner's registered operation", async () => {
    const otherId = manifestFromDocuments([{ path: 'other.graphql', text: OTHER_QUERY }], 'other-partner', '1.0.0').operations[0].id;
    const theirs = await postJson(plaza.gateway.url, byHash(otherId, { variables: { id: 'm1' } }), { 'x-api-key': OTHER_KEY });
    expect(theirs.status).toBe(200);
    expect(theirs.body.data.merchant.name).toEqual(expect.any(String));
    const mine = await postJson(plaza.gateway.url, byHash(otherId, { variables: { id: 'm1' } }), { 'x-api-key': ACME_KEY });
    expect(mine.status).toBe(400);
    expect(mine.body.errors?.[0].extensions?.code).toBe('PERSISTED_QUERY_NOT_IN_LIST');
  });

  it('the example partner app runs its registered operation by id over GET, and the answer is cacheable', async () => {
    const result = await callPlaza('PartnerCityCards', { city: 'Shanghai' }, { gatewayUrl: plaza.gateway.url, apiKey: ACME_KEY });
    expect(result.status).toBe(200);
    expect(result.body.errors).toBeUndefined();
    expect((result.body.data as { homepage: { cards: unknown[] } }).homepage.cards.length).toBeGreaterThan(0);
    expect(result.cacheControl).toMatch(/^max-age=\d+, public$/);
    const offers = await callPlaza('PartnerMerchantOffers', { merchantId: 'm1' }, { gatewayUrl: plaza.gateway.url, apiKey: ACME_KEY });
    expect(offers.status).toBe(200);
    expect((offers.body.data as { merchant: { name: string } }).merchant.name).toEqual(expect.any(String));
  });

  it('an unknown API key is refused with 401 UNAUTHENTICATED', async () => {
    const res = await postJson(plaza.gateway.url, byHash(cityCardsId, { variables: { city: 'Shanghai' } }), { 'x-api-key': 'pk_guessed' });
    expect(res.status).toBe(401);
    expect(res.body.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });

  it("nobody can take a partner's name in apollographql-client-name without its key", async () => {
    const res = await postJson(plaza.gateway.url, { query: '{ merchant(id: "m1") { name } }' }, { 'apollographql-client-name': 'acme-travel' });
    expect(res.status).toBe(401);
    expect(res.body.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('a key revoked in the keys file is refused without a restart', async () => {
    const before = await postJson(plaza.gateway.url, byHash(cityCardsId, { variables: { city: 'Shanghai' } }), { 'x-api-key': LEAVING_KEY });
    // leaving-partner has no manifest: known key, but nothing registered
    expect(before.status).toBe(400);
    expect(before.body.errors?.[0].extensions?.code).toBe('PERSISTED_QUERY_NOT_IN_LIST');
    fs.writeFileSync(keysFile, JSON.stringify(partners.map((p) => (p.name === 'leaving-partner' ? { ...p, revoked: true } : p))));
    const after = await eventually(
      () => postJson(plaza.gateway.url, byHash(cityCardsId, { variables: { city: 'Shanghai' } }), { 'x-api-key': LEAVING_KEY }),
      (r) => r.status === 401,
    );
    expect(after.status).toBe(401);
    expect(after.body.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });
});

/** The value of one series in a Prometheus scrape (0 when absent). */
function metricValue(scrape: string, name: string, labels: Record<string, string>): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = scrape.split('\n').find((l) => l.startsWith(`${name}{`) && wanted.every((w) => l.includes(w)));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

describe('refusals the gateway makes itself', () => {
  let strict: RunningGateway;
  const lines: Record<string, unknown>[] = [];
  const scrape = async () => (await fetch(strict.url.replace('/graphql', '/metrics'))).text();

  beforeAll(async () => {
    // a replica with a depth limit of 1: every published manifest is over it, and so is any query text
    const config = testGatewayConfig(
      Object.values(plaza.subgraphs).map((sg) => ({ name: sg.name, url: sg.url })),
      {
        persistedQueries: { manifestDir: path.join(dir, 'manifests'), partners: parsePartnerKeys('test', fs.readFileSync(keysFile, 'utf8')) },
        security: { maxDepth: 1 },
      },
    );
    const logger = { info: (line: Record<string, unknown>) => lines.push(line), warn() {}, error() {}, debug() {} } as unknown as Logger;
    strict = await startGateway(config, [useLogging({ logger }), ...gatewayPlugins(config).filter((p) => p.name !== 'logging')]);
  });
  afterAll(() => strict?.stop());

  it('a refusal before GraphQL runs is logged and counted with the partner and the code', async () => {
    const before = metricValue(await scrape(), 'plaza_gateway_refusals_total', { client: 'acme-travel', code: 'QUERY_TOO_DEEP' });
    const res = await postJson(strict.url, { query: '{ merchant(id: "m1") { name } }' }, { 'x-api-key': ACME_KEY, 'x-request-id': 'refused-deep-1' });
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0].extensions?.code).toBe('QUERY_TOO_DEEP');
    const line = await eventually(async () => lines.find((l) => l.requestId === 'refused-deep-1'), (l) => l !== undefined);
    expect(line).toMatchObject({ client: 'acme-travel', status: 400, errorCodes: ['QUERY_TOO_DEEP'] });
    const after = await eventually(scrape, (text) => metricValue(text, 'plaza_gateway_refusals_total', { client: 'acme-travel', code: 'QUERY_TOO_DEEP' }) > before);
    expect(metricValue(after, 'plaza_gateway_refusals_total', { client: 'acme-travel', code: 'QUERY_TOO_DEEP' })).toBe(before + 1);
  });

  it('a body refused by the HTTP layer is logged with the partner and REQUEST_TOO_LARGE', async () => {
    const res = await postJson(strict.url, { query: `{ __typename } #${'x'.repeat(1024 * 1024)}` }, { 'x-api-key': ACME_KEY, 'x-request-id': 'refused-large-1' });
    expect(res.status).toBe(413);
    const line = await eventually(async () => lines.find((l) => l.requestId === 'refused-large-1'), (l) => l !== undefined);
    expect(line).toMatchObject({ client: 'acme-travel', status: 413, errorCodes: ['REQUEST_TOO_LARGE'] });
  });

  it('an unknown API key is logged as an unknown client with UNAUTHENTICATED', async () => {
    await postJson(strict.url, byHash(cityCardsId), { 'x-api-key': 'pk_guessed', 'x-request-id': 'refused-key-1' });
    const line = await eventually(async () => lines.find((l) => l.requestId === 'refused-key-1'), (l) => l !== undefined);
    expect(line).toMatchObject({ client: 'unknown', status: 401, errorCodes: ['UNAUTHENTICATED'] });
  });

  it('a published manifest this gateway refuses at load is reported on /ready and in metrics', async () => {
    const ready = await fetch(strict.url.replace('/graphql', '/ready'));
    const body = (await ready.json()) as { status: string; refusedManifests?: { client: string; appVersion: string; problems: string[] }[] };
    expect(body.status).toBe('ready');
    const acme = body.refusedManifests?.find((m) => m.client === 'acme-travel');
    expect(acme?.appVersion).toBe('1.0.0');
    expect(acme?.problems.join('\n')).toContain('QUERY_TOO_DEEP');
    expect(metricValue(await scrape(), 'plaza_persisted_manifests_refused', { client: 'acme-travel', app_version: '1.0.0' })).toBe(1);
    // the ordinary gateway registered the same manifest
    const fine = (await (await fetch(plaza.gateway.url.replace('/graphql', '/ready'))).json()) as { refusedManifests?: { client: string }[] };
    expect(fine.refusedManifests?.map((m) => m.client)).toEqual(['sneaky-partner']);
  });
});

describe('the partner contract', () => {
  it('a partner cannot query a field outside the contract: it does not exist for them (400 GRAPHQL_VALIDATION_FAILED)', async () => {
    const review = await postJson(plaza.gateway.url, { query: '{ placementsForReview(first: 1) { id } }' }, { 'x-api-key': OPEN_KEY });
    expect(review.status).toBe(400);
    expect(review.body.errors?.[0]).toMatchObject({ message: 'Cannot query field "placementsForReview" on type "Query".', extensions: { code: 'GRAPHQL_VALIDATION_FAILED', contract: 'partner' } });
    expect(review.body.data).toBeUndefined();
    const untagged = await postJson(plaza.gateway.url, { query: '{ merchant(id: "m1") { name popularity } }' }, { 'x-api-key': OPEN_KEY });
    expect(untagged.status).toBe(400);
    expect(untagged.body.errors?.[0].message).toBe('Cannot query field "popularity" on type "Merchant".');
    // the same text from a first-party app runs
    const firstParty = await postJson(plaza.gateway.url, { query: '{ merchant(id: "m1") { name popularity } }' }, { 'apollographql-client-name': 'homepage' });
    expect(firstParty.status).toBe(200);
    expect(firstParty.body.data.merchant.popularity).toEqual(expect.any(Number));
    const inside = await postJson(plaza.gateway.url, { query: '{ merchant(id: "m1") { name offers(first: 1) { remainingStock } } }' }, { 'x-api-key': OPEN_KEY });
    expect(inside.status).toBe(200);
    expect(inside.body.data.merchant.name).toEqual(expect.any(String));
  });

  it('a partner manifest with a non-contract field, put in the store past `pq publish`, is refused at load and its id does not run', async () => {
    const sneakyId = manifestFromDocuments([{ path: 'sneaky.graphql', text: REVIEW_QUERY }], 'sneaky-partner', '1.0.0').operations[0].id;
    const res = await postJson(plaza.gateway.url, byHash(sneakyId), { 'x-api-key': SNEAKY_KEY });
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0].extensions?.code).toBe('PERSISTED_QUERY_NOT_IN_LIST');
    const ready = (await (await fetch(plaza.gateway.url.replace('/graphql', '/ready'))).json()) as { refusedManifests: { client: string; problems: string[] }[] };
    expect(ready.refusedManifests[0].problems).toEqual(['operation "SneakyReview": Cannot query field "placementsForReview" on type "Query".']);
  });

  it('partner introspection is refused (403), and where allowed it shows the contract alone', async () => {
    const refused = await postJson(plaza.gateway.url, { query: '{ __schema { queryType { name } } }' }, { 'x-api-key': OPEN_KEY });
    expect(refused.status).toBe(403);
    expect(refused.body.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const open = await plaza.replica({
      persistedQueries: { manifestDir: path.join(dir, 'manifests'), partners: parsePartnerKeys('test', fs.readFileSync(keysFile, 'utf8')) },
      security: { partnerIntrospection: true },
    });
    const schema = await postJson(open.url, { query: '{ __schema { queryType { fields { name } } mutationType { name } } user: __type(name: "User") { name } }' }, { 'x-api-key': OPEN_KEY });
    expect(schema.status).toBe(200);
    expect(schema.body.data.__schema.queryType.fields.map((f: { name: string }) => f.name).sort()).toEqual(['homepage', 'merchant']);
    expect(schema.body.data.__schema.mutationType).toBeNull();
    expect(schema.body.data.user).toBeNull();
    const merchant = await postJson(open.url, { query: '{ __type(name: "Merchant") { fields { name } } }' }, { 'x-api-key': OPEN_KEY });
    expect(merchant.body.data.__type.fields.map((f: { name: string }) => f.name)).not.toContain('popularity');
    // a first-party app still sees the whole graph
    const whole = await postJson(open.url, { query: '{ __type(name: "User") { name } }' });
    expect(whole.body.data.__type).toEqual({ name: 'User' });
  });
});

describe('usage over time', () => {
  it('pq usage tells whether an operation, an app version or a field is safe to retire, from what a gateway recorded', async () => {
    const secret = 'operator-secret-0123456789abcdefghijklmnop';
    const replica = await plaza.replica({
      persistedQueries: { manifestDir: path.join(dir, 'manifests'), partners: parsePartnerKeys('test', fs.readFileSync(keysFile, 'utf8')), bypassSecret: secret },
    });
    const ran = await postJson(replica.url, byHash(cityCardsId, { variables: { city: 'Shanghai' } }), { 'x-api-key': ACME_KEY });
    expect(ran.status).toBe(200);
    const usage = async (...args: string[]) => {
      const lines: string[] = [];
      await runPq(['usage', ...args, '--gateway', new URL(replica.url).origin], { out: (l) => lines.push(l), env: { ...process.env, PLAZA_REDIS_URL: '', PLAZA_PQ_BYPASS_SECRET: secret } });
      return lines.at(-1);
    };
    expect(await usage('--operation', 'PartnerCityCards')).toMatch(/^operation PartnerCityCards: not safe to retire, 1 use\(s\) in the last 30 day\(s\), last seen \d{4}-/);
    expect(await usage('--client', 'acme-travel', '--app-version', '1.0.0')).toMatch(/^app version acme-travel@1\.0\.0: not safe to retire, 1 use/);
    expect(await usage('--client', 'acme-travel', '--app-version', '0.9.0')).toBe('app version acme-travel@0.9.0: safe to retire, no use in the last 30 day(s) (never recorded)');
    expect(await usage('--field', 'Placement.subtitle')).toMatch(/^field Placement\.subtitle: not safe to retire, 1 use/);
    expect(await usage('--field', 'Merchant.popularity', '--days', '7')).toBe('field Merchant.popularity: safe to retire, no use in the last 7 day(s) (never recorded)');
  });
});

describe('the playground', () => {
  it("lists each client's published operations from the manifest store beside the repository's own", async () => {
    const replica = await plaza.replica({
      persistedQueries: { manifestDir: path.join(dir, 'manifests'), partners: parsePartnerKeys('test', fs.readFileSync(keysFile, 'utf8')) },
      pages: { playground: true },
    });
    const res = await fetch(new URL('/playground/operations.json', replica.url));
    expect(res.status).toBe(200);
    const { clients } = (await res.json()) as { clients: { client: string; operations: { name: string; id: string }[] }[] };
    const acme = clients.find((c) => c.client === 'acme-travel@1.0.0');
    expect(acme?.operations.map((o) => o.name)).toEqual(['PartnerCityCards', 'PartnerMerchantOffers']);
    expect(acme?.operations[0].id).toBe(cityCardsId);
    expect(clients.map((c) => c.client)).toContain('other-partner@1.0.0');
    // a manifest refused at load runs nowhere, so it is not listed
    expect(clients.map((c) => c.client)).not.toContain('sneaky-partner@1.0.0');
    expect(clients.map((c) => c.client)).toContain('homepage');
  });
});
