import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { GatewayConfig } from '../gateway/config.ts';
import { cacheTotals } from '../platform/caches.ts';
import { generateSigningKey, issueKeySignedToken, issueToken } from '../gateway/plugins/identity.ts';
import type { RunningGateway } from '../gateway/server.ts';
import { postJson, TEST_JWT_SECRET } from './support/plaza.ts';
import { startSmallGateway, type SmallGateway } from './support/small-gateway.ts';

/** A tiny identity provider: serves whatever key set the test gives it. */
let jwks: { keys: JWK[] } = { keys: [] };
let jwksFetches = 0;
const idp = http.createServer((req, res) => {
  jwksFetches++;
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(jwks));
});

let plaza: SmallGateway;
let k1: Awaited<ReturnType<typeof generateSigningKey>>;
let k2: Awaited<ReturnType<typeof generateSigningKey>>;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'plaza-keys-'));
const PARTNER_KEY = randomBytes(24).toString('hex');

beforeAll(async () => {
  [k1, k2] = await Promise.all([generateSigningKey('RS256', 'k1'), generateSigningKey('ES256', 'k2')]);
  jwks = { keys: [k1.publicJwk] };
  await new Promise<void>((resolve) => idp.listen(0, '127.0.0.1', resolve));
  const jwksUrl = `http://127.0.0.1:${(idp.address() as AddressInfo).port}/.well-known/jwks.json`;
  plaza = await startSmallGateway({
    security: { jwksUrl, jwksCooldownMs: 0 },
    persistedQueries: { partners: [{ name: 'acme', keySha256: createHash('sha256').update(PARTNER_KEY).digest('hex'), mode: 'allow', revoked: false }] },
  });
});
afterAll(async () => {
  // stops the replicas too
  await plaza?.stop();
  idp.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Another gateway replica in front of the same subgraphs, without the first one's identity provider and partner keys. */
const replica = (overrides: Partial<GatewayConfig>) =>
  plaza.replica({ persistedQueries: undefined, ...overrides });

const ME = '{ me { id } }';
const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });
const now = () => Math.floor(Date.now() / 1000);

describe('identity: tokens from an identity provider (JWKS URL)', () => {
  it('an RS256 token signed by a key in the JWKS identifies the user', async () => {
    const { status, body } = await plaza.query(ME, {}, bearer(await issueKeySignedToken(k1.privateJwk, { userId: 'u1' })));
    expect(status).toBe(200);
    expect(body.data.me.id).toBe('u1');
  });

  it('after key rotation, a token with the new kid is accepted once the provider publishes it', async () => {
    const token = await issueKeySignedToken(k2.privateJwk, { userId: 'u2' });
    const before = await plaza.query(ME, {}, bearer(token));
    expect(before.status).toBe(401);
    expect(before.body.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    jwks = { keys: [k1.publicJwk, k2.publicJwk] };
    // no cooldown (jwksCooldownMs: 0): the key set is fetched again for the unknown kid at once
    const fetches = jwksFetches;
    const after = await plaza.query(ME, {}, bearer(token));
    expect(after.status).toBe(200);
    expect(after.body.data.me.id).toBe('u2');
    expect(jwksFetches).toBe(fetches + 1);
  });

  const refusals: [string, () => Promise<string>][] = [
    ['an expired token', () => issueKeySignedToken(k1.privateJwk, { userId: 'u1', expiresIn: now() - 60 })],
    ['a token not valid yet', () => issueKeySignedToken(k1.privateJwk, { userId: 'u1', notBefore: now() + 600 })],
    ['a token for another audience', () => issueKeySignedToken(k1.privateJwk, { userId: 'u1', audience: 'someone-else' })],
    ['a token from another issuer', () => issueKeySignedToken(k1.privateJwk, { userId: 'u1', issuer: 'evil-idp' })],
    [
      'a forged token (right kid, wrong key)',
      async () => issueKeySignedToken({ ...(await generateSigningKey('RS256', 'k1')).privateJwk }, { userId: 'u1' }),
    ],
    ['a development token signed with the wrong secret', () => issueToken('not-the-secret', { userId: 'u1' })],
    ['a token that is not a JWT', async () => 'hello.world'],
  ];
  for (const [what, make] of refusals) {
    it(`${what} is refused with 401 UNAUTHENTICATED`, async () => {
      const { status, body } = await plaza.query(ME, {}, bearer(await make()));
      expect(status).toBe(401);
      expect(body.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
      expect(body.data).toBeUndefined();
    });
  }

  it('the scope claim name is configurable', async () => {
    const gateway = await replica({ security: { scopeClaim: 'permissions' } });
    const token = await issueToken(TEST_JWT_SECRET, { userId: 'op1', scopes: ['platform:review'], scopeClaim: 'permissions' });
    const { body } = await postJson(gateway.url, { query: '{ placementsForReview { id } }' }, { authorization: `Bearer ${token}` });
    expect(body.errors).toBeUndefined();
    // the same scope in the default claim grants nothing there
    const other = await issueToken(TEST_JWT_SECRET, { userId: 'op1', scopes: ['platform:review'] });
    const refused = await postJson(gateway.url, { query: '{ placementsForReview { id } }' }, { authorization: `Bearer ${other}` });
    expect(refused.body.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });
});

describe('identity: development tokens (HS256)', () => {
  const remembered = () => cacheTotals().find((c) => c.cache === 'bearer_tokens_verified')?.entries ?? 0;

  it('a token that checked out is remembered once however often it comes, a forged one never; an expired one is refused though remembered', async () => {
    const token = await issueToken(TEST_JWT_SECRET, { userId: 'u1', expiresIn: now() + 60 });
    const before = remembered();
    for (let i = 0; i < 3; i++) expect((await plaza.query(ME, {}, bearer(token))).body.data.me.id).toBe('u1');
    expect(remembered()).toBe(before + 1);
    const forged = await issueToken('not-the-secret', { userId: 'u1', expiresIn: now() + 60 });
    expect((await plaza.query(ME, {}, bearer(forged))).status).toBe(401);
    expect(remembered()).toBe(before + 1);
    // past its exp, the token is checked afresh and refused
    vi.useFakeTimers({ toFake: ['Date'], now: (now() + 61) * 1000 });
    try {
      const { status, body } = await plaza.query(ME, {}, bearer(token));
      expect(status).toBe(401);
      expect(body.errors?.[0]).toMatchObject({ message: expect.stringContaining('Token has expired'), extensions: { code: 'UNAUTHENTICATED' } });
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('identity: a local key set file', () => {
  it('reads keys from the file and picks up a rotated key when a token names it', async () => {
    const file = path.join(tmp, 'jwks.json');
    fs.writeFileSync(file, JSON.stringify({ keys: [k1.publicJwk] }));
    const gateway = await replica({ security: { jwksFile: file } });
    const call = async (jwk: JWK, user: string) =>
      postJson(gateway.url, { query: ME }, { authorization: `Bearer ${await issueKeySignedToken(jwk, { userId: user })}` });
    expect((await call(k1.privateJwk, 'u1')).body.data.me.id).toBe('u1');
    expect((await call(k2.privateJwk, 'u2')).status).toBe(401);
    fs.writeFileSync(file, JSON.stringify({ keys: [k2.publicJwk] }));
    expect((await call(k2.privateJwk, 'u2')).body.data.me.id).toBe('u2');
    // the retired key no longer signs in
    expect((await call(k1.privateJwk, 'u1')).status).toBe(401);
  });
});

describe('production mode', () => {
  let prod: RunningGateway;
  beforeAll(async () => {
    prod = await replica({ production: true, security: { corsOrigins: ['https://app.plaza.example'] } });
  });

  it('introspection is refused', async () => {
    const { status, body } = await postJson(prod.url, { query: '{ __schema { queryType { name } } }' });
    expect(status).toBe(400);
    expect(body.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('errors carry no stack trace', async () => {
    const { body } = await postJson(prod.url, { query: '{ me { password } }' });
    expect(body.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(JSON.stringify(body)).not.toMatch(/stacktrace|\.ts:\d+/);
  });

  it('CSRF prevention refuses a simple GET request without a preflight header', async () => {
    const res = await fetch(`${prod.url}?query=${encodeURIComponent('{ __typename }')}`);
    expect(res.status).toBe(400);
    const ok = await fetch(`${prod.url}?query=${encodeURIComponent('{ __typename }')}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(ok.status).toBe(200);
  });

  it('an allowed origin gets CORS headers and its preflight answered', async () => {
    const preflight = await fetch(prod.url, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.plaza.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://app.plaza.example');
    const { status, headers } = await postJson(prod.url, { query: '{ __typename }' }, { origin: 'https://app.plaza.example' });
    expect(status).toBe(200);
    expect(headers.get('access-control-allow-origin')).toBe('https://app.plaza.example');
  });

  it('an origin outside the allowlist is refused with 403 ORIGIN_NOT_ALLOWED', async () => {
    const preflight = await fetch(prod.url, { method: 'OPTIONS', headers: { origin: 'https://evil.example' } });
    expect(preflight.status).toBe(403);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const { status, body } = await postJson(prod.url, { query: '{ __typename }' }, { origin: 'https://evil.example' });
    expect(status).toBe(403);
    expect(body.errors?.[0].extensions?.code).toBe('ORIGIN_NOT_ALLOWED');
  });

  it('a partner cannot introspect the schema even outside production', async () => {
    const { status, body } = await plaza.query('{ __schema { types { name } } }', {}, { headers: { 'x-api-key': PARTNER_KEY } });
    expect(status).toBe(403);
    expect(body.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const normal = await plaza.query('{ merchant(id: "m1") { name } }', {}, { headers: { 'x-api-key': PARTNER_KEY } });
    expect(normal.status).toBe(200);
  });
});
