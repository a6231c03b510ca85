import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson } from './support/plaza.ts';
import { startSmallGateway, type SmallGateway } from './support/small-gateway.ts';

let plaza: SmallGateway;
beforeAll(async () => {
  plaza = await startSmallGateway();
});
afterAll(() => plaza?.stop());

describe('bad input gets a clear GraphQL error, never a crash', () => {
  it('a malformed query is a 400 with GRAPHQL_PARSE_FAILED', async () => {
    const { status, body } = await plaza.query('{ me { nickname ');
    expect(status).toBe(400);
    expect(body.errors?.[0].extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
  });

  it('an unknown field is a 400 with GRAPHQL_VALIDATION_FAILED', async () => {
    const { status, body } = await plaza.query('{ me { password } }');
    expect(status).toBe(400);
    expect(body.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('a body that is not JSON is a 400 with BAD_REQUEST', async () => {
    const { status, body } = await postJson(plaza.gateway.url, '{"query": ');
    expect(status).toBe(400);
    expect(body.errors?.[0].extensions?.code).toBe('BAD_REQUEST');
  });

  it('a variable of the wrong type is a 400 with BAD_USER_INPUT', async () => {
    const { status, body } = await plaza.query('query($id: ID!) { merchant(id: $id) { name } }', { id: { nested: true } });
    expect(status).toBe(400);
    expect(body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('an out-of-range page size is a field error with BAD_USER_INPUT and the rest still answers', async () => {
    const { status, body } = await plaza.query('{ merchant(id: "m1") { name offers(first: 5000) { title } } }');
    expect(status).toBe(200);
    expect(body.data.merchant).toEqual({ name: expect.stringMatching(/\w/), offers: null });
    expect(body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(body.errors?.[0].path).toEqual(['merchant', 'offers']);
  });

  it('a body over the size limit is a 413 with REQUEST_TOO_LARGE', async () => {
    const { status, body } = await postJson(plaza.gateway.url, { query: `{ me { nickname } } # ${'x'.repeat(1024 * 1024)}` });
    expect(status).toBe(413);
    expect(body.errors?.[0].extensions?.code).toBe('REQUEST_TOO_LARGE');
  });

  it('a forged bearer token is a 401 with UNAUTHENTICATED', async () => {
    const forged = (await plaza.tokenFor('u1')).slice(0, -4) + 'AAAA';
    const { status, body } = await plaza.query('{ me { nickname } }', {}, { headers: { authorization: `Bearer ${forged}` } });
    expect(status).toBe(401);
    expect(body.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('the gateway still serves normal queries afterwards', async () => {
    const { status, body } = await plaza.query('{ merchant(id: "m1") { name } }');
    expect(status).toBe(200);
    expect(body.data.merchant.name).toMatch(/\w/);
  });
});
