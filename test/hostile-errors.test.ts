/**
 * Hostile documents against the gateway (in front of a small subgraph), on a development and a production gateway:
 * each gets its stable code and a 4xx, and no answer carries SQL, a stack trace or a
 * subgraph's name; an internal error reads only its code and the request id.
 */
import { createHash } from 'node:crypto';
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GraphQLError } from 'graphql';
import { useErrorMasking } from '../gateway/plugins/error-masking.ts';
import type { RunningGateway } from '../gateway/server.ts';
import { logUnexpectedErrors, maskUnexpectedError } from '../platform/error-masking.ts';
import type { Logger } from '../platform/log.ts';
import { INTERNAL_TOKEN_HEADER, signInternalToken, ANONYMOUS } from '../platform/internal-token.ts';
import { hmacKey } from '../platform/jwt.ts';
import { postJson, TEST_INTERNAL_SECRET, TEST_JWT_SECRET, type GraphQLResponse } from './support/plaza.ts';
import { startSmallGateway, type SmallGateway } from './support/small-gateway.ts';

let plaza: SmallGateway;
let production: RunningGateway;
/** Production, automatic persisted queries off. */
let noApq: RunningGateway;

beforeAll(async () => {
  plaza = await startSmallGateway();
  production = await plaza.replica({ production: true, operations: { metricsPort: 0 } });
  noApq = await plaza.replica({ production: true, persistedQueries: { apq: false } });
});
afterAll(() => plaza?.stop());

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Nothing in an answer that only the servers should know. */
function expectNothingInternal(response: GraphQLResponse, mode: string): void {
  const text = JSON.stringify(response.body);
  expect(text).not.toMatch(/\bselect\b|\bfrom "|insert into|\bwhere\b/i);
  expect(text).not.toMatch(/serviceName/);
  if (mode === 'production') expect(text).not.toMatch(/stacktrace|\.ts:\d+|node_modules/);
}

async function tokenWithSub(sub: unknown): Promise<string> {
  return new SignJWT({ sub: sub as string })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer('plaza')
    .setAudience('plaza-api')
    .setExpirationTime('1h')
    .sign(await hmacKey(TEST_JWT_SECRET));
}

describe('control characters in string inputs are refused with 400 BAD_USER_INPUT', () => {
  const cases: [string, string, Record<string, unknown>, Record<string, string>][] = [
    ['a NUL in the homepage city variable', 'query($city: String!) { homepage(city: $city) { city banners { title } } }', { city: 'a\u0000b' }, { variableName: 'city' }],
    ['a NUL in the search city variable', 'query($city: String) { search(query: "hot", city: $city) { edges { node { id } } } }', { city: 'a\u0000b' }, { variableName: 'city' }],
    ['an escape sequence in the search text', 'query($q: String!) { search(query: $q) { edges { node { id } } } }', { q: '\u001b[2Jhot' }, { variableName: 'q' }],
    ['a NUL written inline in the operation', '{ homepage(city: "a\\u0000b") { city } }', {}, { argumentName: 'city' }],
    ['a NUL inline in a list', 'mutation { setGrid(serviceIds: ["s1-1", "s\\u0000"]) { id } }', {}, { argumentName: 'serviceIds' }],
  ];
  for (const [what, query, variables, names] of cases) {
    for (const [mode] of [['development'], ['production']]) {
      it(`${what} (${mode})`, async () => {
        const url = mode === 'production' ? production.url : plaza.gateway.url;
        const response = await postJson(url, { query, variables });
        expect(response.status).toBe(400);
        expect(response.body.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', ...names });
        expect(response.body.errors?.[0].message).toMatch(/control character \(U\+00/);
        expect(response.body.data).toBeUndefined();
        expectNothingInternal(response, mode);
      });
    }
  }

  it('a control character nested in an input object is refused before authorization or any subgraph', async () => {
    const input = { merchantId: 'm1', serviceId: 's1-1', slot: 'BANNER', title: 'Hot\u0007pot', subtitle: 'x', imageUrl: 'https://img.example/1.png' };
    const response = await plaza.query('mutation($input: SubmitPlacementInput!) { submitPlacement(input: $input) { id } }', { input }, { user: 'u1' });
    expect(response.status).toBe(400);
    expect(response.body.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', variableName: 'input' });
  });

  it('tab, newline and carriage return are ordinary characters', async () => {
    const response = await plaza.query('query($q: String!) { search(query: $q) { edges { node { id } } } }', { q: 'hot\tpot\r\n' });
    expect(response.status).toBe(200);
    expect(response.body.errors).toBeUndefined();
  });

  it('a subgraph refuses them too, with BAD_USER_INPUT in its answer', async () => {
    const token = await signInternalToken(ANONYMOUS, TEST_INTERNAL_SECRET);
    const response = await postJson(plaza.subgraph.url, { query: 'query($city: String!) { homepage(city: $city) { city } }', variables: { city: 'a\u0000b' } }, { [INTERNAL_TOKEN_HEADER]: token });
    expect(response.body.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', variableName: 'city' });
    expect(response.body.data).toBeUndefined();
    expectNothingInternal(response, 'development');
  });
});

describe('bad requests get their codes and a 4xx in both modes', () => {
  for (const [mode, url] of [['development', () => plaza.gateway.url], ['production', () => production.url]] as const) {
    it(`a token whose sub is a number is 401 UNAUTHENTICATED (${mode})`, async () => {
      for (const sub of [123, '', 'u1\u0000']) {
        const response = await postJson(url(), { query: '{ me { id } }' }, { authorization: `Bearer ${await tokenWithSub(sub)}` });
        expect(response.status, JSON.stringify(sub)).toBe(401);
        expect(response.body.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
        expectNothingInternal(response, mode);
      }
    });

    it(`extensions.persistedQuery that is not an object is 400 BAD_REQUEST (${mode})`, async () => {
      for (const persistedQuery of ['x', 5, [], true]) {
        const response = await postJson(url(), { query: '{ __typename }', extensions: { persistedQuery } });
        expect(response.status, JSON.stringify(persistedQuery)).toBe(400);
        expect(response.body.errors?.[0].extensions?.code).toBe('BAD_REQUEST');
        expectNothingInternal(response, mode);
      }
    });

    it(`a subscription over HTTP is 400 BAD_REQUEST (${mode})`, async () => {
      const response = await postJson(url(), { query: 'subscription { __typename }' });
      expect(response.status).toBe(400);
      expect(response.body.errors?.[0]).toMatchObject({ message: expect.stringMatching(/Subscriptions are not served over HTTP/), extensions: { code: 'BAD_REQUEST' } });
      expectNothingInternal(response, mode);
    });
  }

  it('production answers a misspelled field without suggesting the schema', async () => {
    const response = await postJson(production.url, { query: '{ me { nicknam } merchant(id: "m1") { nme } }' });
    expect(response.status).toBe(400);
    expect(response.body.errors?.map((e) => e.extensions?.code)).toEqual(['GRAPHQL_VALIDATION_FAILED', 'GRAPHQL_VALIDATION_FAILED']);
    expect(response.body.errors?.[0].message).toBe('Cannot query field "nicknam" on type "User".');
    expect(JSON.stringify(response.body)).not.toMatch(/Did you mean|nickname/);
    // development keeps them: they help whoever writes the query
    const development = await plaza.query('{ me { nicknam } }');
    expect(development.body.errors?.[0].message).toMatch(/Did you mean "nickname"\?/);
  });
});

describe('internal errors: the code and the request id for the client, the detail for the log', () => {
  /** Makes every merchant lookup fail as a missing table does, with the SQL in the driver's message, while `run` runs. */
  async function withMerchantsTableGone<T>(run: () => Promise<T>): Promise<T> {
    plaza.subgraph.failing = true;
    try {
      return await run();
    } finally {
      plaza.subgraph.failing = false;
    }
  }

  const query = '{ merchant(id: "m1") { name } }';

  it('production masks a database error: INTERNAL_SERVER_ERROR with the request id, no SQL, stack or subgraph name', async () => {
    const response = await withMerchantsTableGone(() => postJson(production.url, { query }, { 'x-request-id': 'hostile-1' }));
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({ merchant: null });
    expect(response.body.errors).toEqual([{ message: 'Internal server error', path: ['merchant'], extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: 'hostile-1' } }]);
    expect(response.headers.get('x-request-id')).toBe('hostile-1');
  });

  it('development never shows the SQL either: the subgraph masks it at the source', async () => {
    const response = await withMerchantsTableGone(() => postJson(plaza.gateway.url, { query }, { 'x-request-id': 'hostile-2' }));
    expect(response.body.errors?.[0]).toMatchObject({ message: 'Internal server error', path: ['merchant'], extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: 'hostile-2' } });
    expect(JSON.stringify(response.body)).not.toMatch(/merchants_gone|\bselect\b|no such table|does not exist/i);
  });

  it('the data comes back once the database does', async () => {
    const response = await postJson(production.url, { query });
    expect(response.body).toEqual({ data: { merchant: { name: expect.stringMatching(/\w/) } } });
  });

  it('the log gets the detail: the request id, the subgraph, the message and the cause', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = { error: (line: Record<string, unknown>) => lines.push(line) } as unknown as Logger;
    const sql = 'select m0.* from merchants as m0 - no such table: merchants';
    // at the subgraph: the database error itself, behind the resolver's located error
    const located = new GraphQLError(sql, { path: ['merchant'], originalError: new Error(sql) });
    const atSubgraph = await logUnexpectedErrors(logger).requestDidStart!({ request: {} } as never);
    await atSubgraph!.didEncounterErrors!({ errors: [located], request: { http: { headers: new Map([['x-request-id', 'r1']]) } } } as never);
    expect(lines[0]).toMatchObject({ requestId: 'r1', path: ['merchant'], err: expect.objectContaining({ message: sql }) });
    expect(maskUnexpectedError({ message: sql, path: ['merchant'] }, located)).toEqual({ message: 'Internal server error', path: ['merchant'], extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    // at the gateway: what the subgraph answered, with its name
    const downstream = new GraphQLError('Internal server error', { path: ['merchant'], extensions: { code: 'INTERNAL_SERVER_ERROR', serviceName: 'merchants' } });
    const masking = useErrorMasking({ production: true, logger });
    const atGateway = await masking.apollo!.requestDidStart!({} as never);
    await atGateway!.didEncounterErrors!({ errors: [downstream], contextValue: { requestId: 'r1' }, operationName: 'Merchant' } as never);
    expect(lines[1]).toMatchObject({ requestId: 'r1', serviceName: 'merchants', operationName: 'Merchant', path: ['merchant'] });
  });

  it('domain refusals keep their codes and messages in production', async () => {
    const response = await postJson(production.url, { query: '{ merchant(id: "m1") { name offers(first: 5000) { title } } }' });
    expect(response.status).toBe(200);
    expect(response.body.errors?.[0]).toMatchObject({ path: ['merchant', 'offers'], extensions: { code: 'BAD_USER_INPUT' } });
    expect(response.body.errors?.[0].message).not.toBe('Internal server error');
    expectNothingInternal(response, 'production');
  });
});

describe('metrics are for operators', () => {
  it('production serves /metrics only on the operators port', async () => {
    const publicPort = await fetch(production.url.replace(/\/graphql$/, '/metrics'));
    expect(publicPort.status).toBe(404);
    expect(await publicPort.text()).not.toMatch(/plaza_/);
    const operators = await fetch(production.metricsUrl!);
    expect(operators.status).toBe(200);
    expect(await operators.text()).toMatch(/plaza_gateway_requests_total/);
    // the operators port serves nothing else
    expect((await fetch(production.metricsUrl!.replace(/\/metrics$/, '/graphql'))).status).toBe(404);
  });

  it('a production gateway without PLAZA_METRICS_PORT serves no /metrics at all', async () => {
    expect(noApq.metricsUrl).toBeUndefined();
    expect((await fetch(noApq.url.replace(/\/graphql$/, '/metrics'))).status).toBe(404);
  });

  it('development keeps /metrics beside GraphQL', async () => {
    expect((await fetch(plaza.gateway.url.replace(/\/graphql$/, '/metrics'))).status).toBe(200);
  });
});

describe('automatic persisted queries turned off (PLAZA_APQ=false)', () => {
  const query = '{ merchant(id: "m1") { name } }';

  it("Apollo Client's persisted-query link gets its data, then stops sending hashes", async () => {
    const sent: { query?: string; hash?: string }[] = [];
    const record = new ApolloLink((operation, forward) => {
      const http = operation.getContext().http as { includeQuery?: boolean } | undefined;
      sent.push({ hash: (operation.extensions.persistedQuery as { sha256Hash?: string } | undefined)?.sha256Hash, query: http?.includeQuery === false ? undefined : 'sent' });
      return forward(operation);
    });
    const client = new ApolloClient({
      cache: new InMemoryCache(),
      link: ApolloLink.from([new PersistedQueryLink({ sha256 }), record, new HttpLink({ uri: noApq.url })]),
    });
    const first = await client.query({ query: gql(query), fetchPolicy: 'network-only' });
    expect(first.error).toBeUndefined();
    expect(first.data).toEqual({ merchant: { __typename: 'Merchant', name: expect.stringMatching(/\w/) } });
    // the hash alone is not supported, so the link sends the query without it
    expect(sent).toEqual([{ hash: expect.stringMatching(/^[0-9a-f]{64}$/), query: undefined }, { hash: undefined, query: 'sent' }]);
    const second = await client.query({ query: gql('{ merchant(id: "m2") { name } }'), fetchPolicy: 'network-only' });
    expect(second.data).toEqual({ merchant: { __typename: 'Merchant', name: expect.stringMatching(/\w/) } });
    expect(sent.slice(2)).toEqual([{ hash: undefined, query: 'sent' }]);
  });

  it('a query sent with its matching hash runs', async () => {
    const response = await postJson(noApq.url, { query, extensions: { persistedQuery: { version: 1, sha256Hash: sha256(query) } } });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ data: { merchant: { name: expect.stringMatching(/\w/) } } });
  });

  it("a hash alone answers Apollo's PERSISTED_QUERY_NOT_SUPPORTED, never PERSISTED_QUERY_NOT_FOUND", async () => {
    const response = await postJson(noApq.url, { extensions: { persistedQuery: { version: 1, sha256Hash: sha256(query) } } });
    expect(response.status).toBe(200);
    expect(response.body.errors?.[0].extensions?.code).toBe('PERSISTED_QUERY_NOT_SUPPORTED');
  });

  it('a query with a hash that is not its own is 400 BAD_REQUEST', async () => {
    const response = await postJson(noApq.url, { query, extensions: { persistedQuery: { version: 1, sha256Hash: sha256('{ me { id } }') } } });
    expect(response.status).toBe(400);
    expect(response.body.errors?.[0].extensions?.code).toBe('BAD_REQUEST');
  });
});
