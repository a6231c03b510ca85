import fs from 'node:fs';
import path from 'node:path';
import { getOperationAST, Kind, parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { estimateCost, readCostModel } from '../gateway/analysis/cost.ts';
import { checkLimits, LIMITS_DEFAULTS } from '../gateway/analysis/limits.ts';
import { useLimits } from '../gateway/plugins/limits.ts';
import { HttpRefusal } from '../platform/http.ts';
import { SUPERGRAPH_PATH } from '../schema/compose.ts';
import { apiSchemaOf, hostileDocuments } from './support/hostile-documents.ts';
import { postJson } from './support/plaza.ts';
import { startSmallGateway, type SmallGateway } from './support/small-gateway.ts';

let plaza: SmallGateway;
beforeAll(async () => {
  plaza = await startSmallGateway({
    security: {
      maxDepth: 6,
      maxAliases: 5,
      maxRootFields: 3,
      maxTokens: 300,
      maxDocumentLength: 4000,
      maxSelections: 40,
      maxRepeatedFields: 3,
      costBudget: 300,
      costBudgets: { 'homepage-app': 2000 },
    },
  });
});
afterAll(() => plaza?.stop());

/** `levels` of fragments, each spreading the one below twice: 2^levels copies of `leaf` once expanded. */
function doubling(levels: number, type: string, leaf: string): string {
  const fragments = [`fragment F0 on ${type} { ${leaf} }`];
  for (let i = 1; i <= levels; i++) fragments.push(`fragment F${i} on ${type} { ...F${i - 1} ...F${i - 1} }`);
  return fragments.join(' ');
}

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

  it('more selections than allowed once fragments are expanded is a 400 with TOO_MANY_SELECTIONS', async () => {
    const { status, body } = await plaza.query(`query { search(query: "", first: 1) { ...F6 } } ${doubling(6, 'MerchantSearchConnection', '__typename')}`);
    expect(status).toBe(400);
    expect(body.errors?.[0].extensions?.code).toBe('TOO_MANY_SELECTIONS');
  });

  it('a fragment that spreads itself is a 400 with TOO_MANY_SELECTIONS naming it', async () => {
    const { status, body } = await plaza.query('query { merchant(id: "m1") { ...A } } fragment A on Merchant { name ...B } fragment B on Merchant { city ...A }');
    expect(status).toBe(400);
    expect(body.errors?.[0].extensions?.code).toBe('TOO_MANY_SELECTIONS');
    expect(body.errors?.[0].message).toMatch(/Fragment "A" spreads itself/);
  });

  it('a field asked for more times than allowed is a 400 with TOO_MANY_REPEATED_FIELDS', async () => {
    const { status, body } = await plaza.query('{ merchant(id: "m1") { name name name name } }');
    expect(status).toBe(400);
    expect(body.errors?.[0].extensions?.code).toBe('TOO_MANY_REPEATED_FIELDS');
    expect(body.errors?.[0].message).toContain('"merchant.name"');
  });

  it('repeats are counted through fragments and under parents of the same name', async () => {
    const { status, body } = await plaza.query(
      'query { merchant(id: "m1") { ...A ...B } } fragment A on Merchant { services { id } services { title } } fragment B on Merchant { services { id } ... on Merchant { services { id } } }',
    );
    expect(status).toBe(400);
    expect(body.errors?.[0].extensions?.code).toBe('TOO_MANY_REPEATED_FIELDS');
    expect(body.errors?.[0].message).toContain('"merchant.services"');
  });

  it('a field repeated within the limit answers', async () => {
    const { status, body } = await plaza.query('{ merchant(id: "m1") { name name ...N } } fragment N on Merchant { name }');
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data.merchant.name).toMatch(/\w/);
  });

  it('a document longer than allowed is a 400 with DOCUMENT_TOO_LARGE', async () => {
    const { status, body } = await plaza.query(`{ search(query: "${'x'.repeat(4000)}", first: 1) { pageInfo { hasNextPage } } }`);
    expect(status).toBe(400);
    expect(body.errors?.[0].extensions?.code).toBe('DOCUMENT_TOO_LARGE');
  });

  it('a document that failed validation is refused again with the same answer', async () => {
    const query = '{ merchant(id: "m1") { name noSuchField } offer(id: 5.5) { id } }';
    const first = await plaza.query(query);
    expect(first.status).toBe(400);
    expect(first.body.errors?.map((e) => e.extensions?.code)).toEqual(['GRAPHQL_VALIDATION_FAILED', 'GRAPHQL_VALIDATION_FAILED']);
    const again = await plaza.query(query);
    expect(again.status).toBe(400);
    expect(again.body).toEqual(first.body);
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

describe('the default limits refuse hostile documents before Apollo works on them', () => {
  let defaults: string;
  beforeAll(async () => {
    defaults = (await plaza.replica({ security: {} })).url;
  });

  it('the exponential fragment document of the report is a 400 with TOO_MANY_SELECTIONS, at once', async () => {
    const query = `query { search(query: "", first: 1) { ...F24 } } ${doubling(24, 'MerchantSearchConnection', '__typename')}`;
    expect(query.length).toBeLessThan(1600);
    const started = performance.now();
    const { status, body } = await postJson(defaults, { query });
    expect(performance.now() - started).toBeLessThan(1000);
    expect(status).toBe(400);
    expect(body.errors?.[0].extensions?.code).toBe('TOO_MANY_SELECTIONS');
  });

  it('the 1,200 copies of one field of the report are a 400, and so are 500 (TOO_MANY_REPEATED_FIELDS)', async () => {
    const many = await postJson(defaults, { query: `{ merchant(id: "m1") { ${'name '.repeat(1200)}} }` });
    expect(many.status).toBe(400);
    expect(many.body.errors?.[0].extensions?.code).toBe('TOO_MANY_SELECTIONS');
    const fewer = await postJson(defaults, { query: `{ merchant(id: "m1") { ${'name '.repeat(500)}} }` });
    expect(fewer.status).toBe(400);
    expect(fewer.body.errors?.[0].extensions?.code).toBe('TOO_MANY_REPEATED_FIELDS');
  });

  it('fragment doubling at every position of the schema is refused once it expands past the limits', async () => {
    const corpus = hostileDocuments({ minSize: 4 }).filter((d) => d.family === 'fragment doubling' && [4, 5, 11, 32].includes(d.size));
    expect(new Set(corpus.map((d) => d.shape)).size).toBeGreaterThan(60);
    const wrong: string[] = [];
    for (const d of corpus) {
      const { status, body } = await postJson(defaults, d.body);
      const code = body.errors?.[0].extensions?.code;
      // 2^4 copies of __typename are within the limits, 2^5 repeat it too often, 2^11 expand past 1,000 selections
      const expected = d.size === 4 ? undefined : d.size === 5 ? 'TOO_MANY_REPEATED_FIELDS' : 'TOO_MANY_SELECTIONS';
      const ok = expected ? status === 400 && code === expected : status < 500 && !String(code).startsWith('TOO_MANY');
      if (!ok) wrong.push(`${d.shape} × ${d.size}: ${status} ${code}`);
    }
    expect(wrong).toEqual([]);
  }, 120_000);

  it('every operation of the first-party clients and the bench is within the default limits', () => {
    const folders = ['clients/homepage', 'clients/miniprogram', 'clients/partner/operations', 'bench/operations'];
    const checked: string[] = [];
    for (const folder of folders) {
      const texts = fs.readdirSync(folder).filter((f) => f.endsWith('.graphql')).map((f) => fs.readFileSync(path.join(folder, f), 'utf8'));
      // operations may spread fragments of other files of their client
      const fragments = texts.flatMap((text) => parse(text).definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => d.loc!.source.body.slice(d.loc!.start, d.loc!.end)));
      for (const text of texts) {
        for (const op of parse(text).definitions) {
          if (op.kind !== Kind.OPERATION_DEFINITION) continue;
          const own = text.slice(op.loc!.start, op.loc!.end);
          expect(checkLimits([own, ...fragments].join('\n'), op.name?.value, LIMITS_DEFAULTS), `${folder} ${op.name?.value}`).toBeNull();
          checked.push(op.name?.value ?? '');
        }
      }
    }
    expect(checked.length).toBeGreaterThan(10);
  });
});

describe('every analysis of a document is linear', () => {
  const sdl = fs.readFileSync(SUPERGRAPH_PATH, 'utf8');
  const schema = apiSchemaOf(sdl);
  const model = readCostModel(sdl);
  const costOf = (query: string) => {
    const document = parse(query);
    return estimateCost(schema, model, document, getOperationAST(document)!, undefined, 10);
  };

  it('the cost of fragments spread under a connection is the cost of their expansion, each worked out once', () => {
    const leaf = 'edges { node { name } }';
    const expanded = costOf(`query { search(query: "", first: 2) { ${`${leaf} `.repeat(8)}} }`);
    expect(costOf(`query { search(query: "", first: 2) { ...F3 } } ${doubling(3, 'MerchantSearchConnection', leaf)}`)).toBe(expanded);
    const started = performance.now();
    const deep = costOf(`query { search(query: "", first: 2) { ...F40 } } ${doubling(40, 'MerchantSearchConnection', leaf)}`);
    expect(performance.now() - started).toBeLessThan(200);
    const base = costOf('query { search(query: "", first: 2) { __typename } }');
    const one = costOf(`query { search(query: "", first: 2) { ${leaf} } }`);
    expect(deep).toBe(base + (one - base) * 2 ** 40);
  });

  it('an operation estimated once per set of variables: the same variables cost the same, other sizes cost their own', () => {
    const document = parse('query Find($n: Int) { search(query: "", first: $n) { edges { node { name } } } }');
    const operation = getOperationAST(document)!;
    const cost = (variables: Record<string, unknown>) => estimateCost(schema, model, document, operation, variables, 10);
    const two = cost({ n: 2 });
    const five = cost({ n: 5 });
    expect(five).toBeGreaterThan(two);
    expect(cost({ n: 2 })).toBe(two);
    expect(cost({ n: 5 })).toBe(five);
    // a fresh parse of the same text is estimated alike
    const again = parse('query Find($n: Int) { search(query: "", first: $n) { edges { node { name } } } }');
    expect(estimateCost(schema, model, again, getOperationAST(again)!, { n: 5 }, 10)).toBe(five);
  });

  it('the limits of a 1,000-level fragment doubling are worked out in one walk', () => {
    const query = `query { search(query: "", first: 1) { ...F1000 } } ${doubling(1000, 'MerchantSearchConnection', '__typename')}`;
    const started = performance.now();
    const refusal = checkLimits(query, undefined, { ...LIMITS_DEFAULTS, maxTokens: 100_000, maxDocumentLength: 1_000_000 });
    expect(performance.now() - started).toBeLessThan(200);
    expect(refusal?.code).toBe('TOO_MANY_SELECTIONS');
  });
});

describe('documents that failed validation are remembered', () => {
  type Hooks = Record<string, (...args: any[]) => any>;
  const url = new URL('http://localhost/graphql');
  const failing = '{ nope }';

  async function failValidation(plugin: ReturnType<typeof useLimits>) {
    const listener = (await (plugin.apollo as Hooks).requestDidStart({})) as Hooks;
    const end = await listener.validationDidStart({});
    await end([new Error('Cannot query field "nope" on type "Query".')]);
    const errors = [{ message: 'Cannot query field "nope" on type "Query".', locations: [{ line: 1, column: 3 }], extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }];
    await listener.willSendResponse({ source: failing, response: { http: { status: 400 }, body: { kind: 'single', singleResult: { errors } } } });
    return errors;
  }
  const refusalOf = (plugin: ReturnType<typeof useLimits>) => {
    try {
      plugin.prepare!({} as never, { query: failing }, url);
      return null;
    } catch (error) {
      return error as HttpRefusal;
    }
  };

  it('the next request with the same text is refused with the errors Apollo gave, before Apollo parses it', async () => {
    const plugin = useLimits();
    expect(refusalOf(plugin)).toBeNull();
    const errors = await failValidation(plugin);
    const refusal = refusalOf(plugin);
    expect(refusal).toBeInstanceOf(HttpRefusal);
    expect(refusal).toMatchObject({ status: 400, code: 'GRAPHQL_VALIDATION_FAILED', errors });
  });

  it('a new schema forgets them', async () => {
    const plugin = useLimits();
    await failValidation(plugin);
    const server = (await (plugin.apollo as Hooks).serverWillStart({})) as Hooks;
    server.schemaDidLoadOrUpdate({});
    expect(refusalOf(plugin)).toBeNull();
  });
});
