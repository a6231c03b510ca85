import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callPlaza } from '../clients/partner/partner.ts';
import { parsePartnerKeys, type PartnerKey } from '../gateway/config.ts';
import { manifestFromDocuments, sha256 } from '../gateway/manifests.ts';
import { hashApiKey } from '../gateway/plugins/clients.ts';
import { FolderManifestStore } from '../gateway/stores/memory.ts';
import { byHash, eventually, postJson, startPlaza, type Plaza } from './support/plaza.ts';

const ACME_KEY = 'pk_test_acme_0123456789abcdefghijklmnop';
const OTHER_KEY = 'pk_test_other_0123456789abcdefghijklmnop';
const LEAVING_KEY = 'pk_test_leaving_0123456789abcdefghijklmn';
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
];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plaza-partner-'));
  const store = new FolderManifestStore(path.join(dir, 'manifests'));
  await store.publish({ client: 'acme-travel', appVersion: '1.0.0', json: JSON.stringify(partnerManifest) });
  const other = manifestFromDocuments([{ path: 'other.graphql', text: OTHER_QUERY }], 'other-partner', '1.0.0');
  await store.publish({ client: 'other-partner', appVersion: '1.0.0', json: JSON.stringify(other) });
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
