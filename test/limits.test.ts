import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson, startPlaza, type Plaza } from './support/plaza.ts';

let plaza: Plaza;
beforeAll(async () => {
  plaza = await startPlaza({
    security: { maxDepth: 6, maxAliases: 5, maxRootFields: 3, maxTokens: 300, costBudget: 300, costBudgets: { 'homepage-app': 2000 } },
  });
});
afterAll(() => plaza?.stop());

const EXPENSIVE = '{ merchant(id: "m1") { offers(first: 50) { title merchant { name services { title } } } } }';

describe('operation limits refuse oversized operations before they run', () => {
  it('a query nested deeper than the limit is a 400 with QUERY_TOO_DEEP', async () => {
    const { status, body } = await plaza.query(
      '{ merchant(id: "m1") { offers { merchant { offers { merchant { offers { merchant { name } } } } } } } }',
    );
    expect(status).toBe(400);
    expect(body.errors?.[0].extensions?.code).toBe('QUERY_TOO_DEEP');
    expect(body.data).toBeUndefined();
  });

  it('depth is measured through fragments too', async () => {
    const { status, body } = await plaza.query(
      'query { merchant(id: "m1") { ...A } } fragment A on Merchant { offers { merchant { ...B } } } fragment B on Merchant { offers { merchant { offers { merchant { name } } } } }',
    );
    expect(status).toBe(400);
    expect(body.errors?.[0].extensions?.code).toBe('QUERY_TOO_DEEP');
  });

  it('more aliases than allowed is a 400 with TOO_MANY_ALIASES', async () => {
    const aliases = Array.from({ length: 6 }, (_, i) => `a${i}: name`).join(' ');
    const { status, body } = await plaza.query(`{ merchant(id: "m1") { ${aliases} } }`);
    expect(status).toBe(400);
    expect(body.errors?.[0].extensions?.code).toBe('TOO_MANY_ALIASES');
  });

  it('an alias bomb hidden in a fragment spread many times is refused the same way', async () => {
    const { status, body } = await plaza.query(
      'query { merchant(id: "m1") { ...F ...F } x: merchant(id: "m2") { ...F } } fragment F on Merchant { a: name b: city }',
    );
    expect(status).toBe(400);
    expect(body.errors?.[0].extensions?.code).toBe('TOO_MANY_ALIASES');
  });

  it('more root fields than allowed is a 400 with TOO_MANY_ROOT_FIELDS', async () => {
    const { status, body } = await plaza.query('{ a: merchant(id: "m1") { name } b: merchant(id: "m2") { name } me { id } offer(id: "t1") { id } }');
    expect(status).toBe(400);
    expect(body.errors?.[0].extensions?.code).toBe('TOO_MANY_ROOT_FIELDS');
  });

  it('a document with more tokens than allowed is a 400 with TOO_MANY_TOKENS', async () => {
    const { status, body } = await plaza.query(`{ merchant(id: "m1") { ${'name '.repeat(400)} } }`);
    expect(status).toBe(400);
    expect(body.errors?.[0].extensions?.code).toBe('TOO_MANY_TOKENS');
  });

  it('a body over the size limit is a 413 with REQUEST_TOO_LARGE', async () => {
    const { status, body } = await postJson(plaza.gateway.url, { query: `{ me { id } } # ${'x'.repeat(1024 * 1024)}` });
    expect(status).toBe(413);
    expect(body.errors?.[0].extensions?.code).toBe('REQUEST_TOO_LARGE');
  });

  it('an operation within every limit answers', async () => {
    const { status, body } = await plaza.query('{ merchant(id: "m1") { name offers(first: 2) { title } } }');
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data.merchant.name).toMatch(/\w/);
  });
});

describe('demand control refuses operations over their budget', () => {
  it('an operation whose estimated cost exceeds the default budget is a 400 with COST_ESTIMATED_TOO_EXPENSIVE', async () => {
    const { status, body } = await plaza.query(EXPENSIVE);
    expect(status).toBe(400);
    expect(body.errors?.[0].extensions).toMatchObject({ code: 'COST_ESTIMATED_TOO_EXPENSIVE', budget: 300 });
    expect((body.errors?.[0].extensions as { cost: number }).cost).toBeGreaterThan(300);
  });

  it('the page size argument drives the estimate (@listSize slicingArguments)', async () => {
    const small = await plaza.query(EXPENSIVE.replace('first: 50', 'first: 5'));
    expect(small.status).toBe(200);
    expect(small.body.errors).toBeUndefined();
    const byVariable = await plaza.query(
      'query($n: Int) { merchant(id: "m1") { offers(first: $n) { title merchant { name services { title } } } } }',
      { n: 50 },
    );
    expect(byVariable.status).toBe(400);
    expect(byVariable.body.errors?.[0].extensions?.code).toBe('COST_ESTIMATED_TOO_EXPENSIVE');
  });

  it('a client with a larger budget of its own runs the same operation', async () => {
    const { status, body } = await plaza.query(EXPENSIVE, {}, { headers: { 'apollographql-client-name': 'homepage-app' } });
    expect(body.errors).toBeUndefined();
    expect(status).toBe(200);
  });
});
