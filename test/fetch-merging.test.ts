import { describe, expect, it } from 'vitest';
import { buildSchema, parse, validate } from 'graphql';
import type { PlanNode, QueryPlan } from '@apollo/query-planner';
import { combineEntityFetches, DistinctRepresentations, isEntityFetch, mergeEntityFetches, mergeKey, representationTexts, singleFetchSubgraphs, trailingFetches } from '../gateway/engine/fetch-merging.ts';
import { bodyText } from '../gateway/engine/subgraph-source.ts';

const SELECTION = '{_entities(representations:$representations){...on MerchantService{title merchant{__typename id}}}}';
const fetchOf = (name: string, ids: string[], selection = SELECTION) => ({
  query: `query ${name}($representations:[_Any!]!)${selection}`,
  operationName: name,
  variables: { representations: ids.map((id) => ({ __typename: 'MerchantService', id })) },
});

describe('merging the entity fetches of one request', () => {
  it('merges only entity fetches that differ in nothing but name and representations', () => {
    const grid = fetchOf('Feed__merchants__5', ['s1']);
    const cards = fetchOf('Feed__merchants__7', ['s2']);
    expect(isEntityFetch(grid)).toBe(true);
    expect(isEntityFetch({ query: 'query Q { homepage(city: "x") { city } }' })).toBe(false);
    expect(isEntityFetch({ query: 'mutation M($representations: [_Any!]!) { _entities(representations: $representations) { __typename } }', variables: { representations: [] } })).toBe(false);
    expect(mergeKey(grid)).toBe(mergeKey(cards));
    expect(mergeKey(grid)).not.toBe(mergeKey(fetchOf('Feed__merchants__6', ['s1'], SELECTION.replace('title ', ''))));
    expect(mergeKey(grid)).not.toBe(mergeKey({ ...cards, variables: { ...cards.variables, first: 2 } }));
  });

  it('sends each distinct representation once and gives every fetch its own entities, in its own order', () => {
    const merged = mergeEntityFetches([fetchOf('A', ['s1', 's2', 's3']), fetchOf('B', ['s3', 's4', 's1'])]);
    expect(merged.request.operationName).toBe('A');
    expect((merged.request.variables!.representations as { id: string }[]).map((r) => r.id)).toEqual(['s1', 's2', 's3', 's4']);
    expect(merged.duplicates).toBe(2);
    const entity = (id: string) => ({ title: `t-${id}`, merchant: { __typename: 'Merchant', id: `m-${id}` } });
    const [a, b] = merged.split({ data: { _entities: ['s1', 's2', 's3', 's4'].map(entity) } });
    expect(a).toEqual({ data: { _entities: ['s1', 's2', 's3'].map(entity) } });
    expect(b).toEqual({ data: { _entities: ['s3', 's4', 's1'].map(entity) } });
    // a shared entity is one object in each place, never copied: the engine's merges only add to what it gets
    const aEntities = (a.data as { _entities: object[] })._entities;
    const bEntities = (b.data as { _entities: object[] })._entities;
    expect(bEntities[2]).toBe(aEntities[0]);
  });

  it('routes each entity error to every fetch that asked for the entity, at its own index and in its own order', () => {
    const merged = mergeEntityFetches([fetchOf('A', ['s1', 's2']), fetchOf('B', ['s2', 's9'])]);
    const error = (at: number, field: string) => ({ message: `${field} failed`, path: ['_entities', at, field], extensions: { code: 'BAD_USER_INPUT' } });
    const [a, b] = merged.split({
      data: { _entities: [{ title: 'one' }, { title: null }, null] },
      errors: [error(2, 'title'), error(1, 'title'), { message: 'whole request warning' }],
    });
    expect(a).toEqual({ data: { _entities: [{ title: 'one' }, { title: null }] }, errors: [{ message: 'whole request warning' }, error(1, 'title')] });
    expect(b).toEqual({ data: { _entities: [{ title: null }, null] }, errors: [{ message: 'whole request warning' }, error(0, 'title'), error(1, 'title')] });
  });

  it('gives every fetch the errors when the merged fetch failed as a whole', () => {
    const merged = mergeEntityFetches([fetchOf('A', ['s1']), fetchOf('B', ['s2'])]);
    const failure = { data: null, errors: [{ message: 'Subgraphs answer only requests signed by the Plaza gateway', extensions: { code: 'GATEWAY_TOKEN_REQUIRED' } }] };
    expect(merged.split(failure)).toEqual([failure, failure]);
  });
});

describe('fetches with different selections, in one request', () => {
  const OFFERS =
    'query Feed__coupons__7($representations:[_Any!]!,$first:Int!){_entities(representations:$representations){...on Merchant{offers(first:$first){...O}}}} fragment O on CouponTemplate{id title}';
  const OFFER = 'query Feed__coupons__8($representations:[_Any!]!){_entities(representations:$representations){...on CouponTemplate{...O}}} fragment O on CouponTemplate{id remainingStock}';
  const offers = { query: OFFERS, operationName: 'Feed__coupons__7', variables: { representations: [{ __typename: 'Merchant', id: 'm1' }], first: 2 } };
  const offer = { query: OFFER, operationName: 'Feed__coupons__8', variables: { representations: [{ __typename: 'CouponTemplate', id: 'c9' }, { __typename: 'CouponTemplate', id: 'c8' }] } };

  it('asks for each fetch under an alias of its own, variables and fragments renamed apart', () => {
    const combined = combineEntityFetches([offers, offer])!;
    const document = parse(combined.request.query!);
    expect(combined.request.variables).toEqual({ e0_representations: offers.variables.representations, e0_first: 2, e1_representations: offer.variables.representations });
    // two fragments named O, with different fields, no longer collide
    expect(combined.request.query).toContain('fragment O_e0 on CouponTemplate');
    expect(combined.request.query).toContain('fragment O_e1 on CouponTemplate');
    expect(combined.request.query).toMatch(/_e0: _entities\(representations: \$e0_representations\)/);
    expect(combined.request.query).toMatch(/offers\(first: \$e0_first\)/);
    expect(document.definitions).toHaveLength(3);
    // anything but plain entity fetches is sent as it is
    expect(combineEntityFetches([offers, { query: 'query Q { homepage(city: "x") { city } }' }])).toBeNull();
  });

  it('gives each fetch its own entities and errors, and errors of the whole request to all', () => {
    const combined = combineEntityFetches([offers, offer])!;
    const [a, b] = combined.split({
      data: { _e0: [{ offers: [{ id: 'c1', title: 'One' }] }], _e1: [{ id: 'c9', remainingStock: null }, null] },
      errors: [
        { message: 'stock unknown', path: ['_e1', 0, 'remainingStock'] },
        { message: 'gone', path: ['_e1', 1] },
        { message: 'slow', extensions: { code: 'WARN' } },
      ],
    });
    expect(a).toEqual({ data: { _entities: [{ offers: [{ id: 'c1', title: 'One' }] }] }, errors: [{ message: 'slow', extensions: { code: 'WARN' } }] });
    expect(b).toEqual({
      data: { _entities: [{ id: 'c9', remainingStock: null }, null] },
      errors: [{ message: 'stock unknown', path: ['_entities', 0, 'remainingStock'] }, { message: 'gone', path: ['_entities', 1] }, { message: 'slow', extensions: { code: 'WARN' } }],
    });
    const failure = { data: null, errors: [{ message: 'refused', extensions: { code: 'GATEWAY_TOKEN_REQUIRED' } }] };
    expect(combined.split(failure)).toEqual([
      { data: null, errors: failure.errors },
      { data: null, errors: failure.errors },
    ]);
  });

  it('is a valid operation against a subgraph schema', () => {
    const schema = `scalar _Any type CouponTemplate { id: ID! title: String remainingStock: Int } type Merchant { id: ID! offers(first: Int!): [CouponTemplate!]! }
      union _Entity = CouponTemplate | Merchant type Query { _entities(representations: [_Any!]!): [_Entity]! }`;
    expect(validate(buildSchema(schema), parse(combineEntityFetches([offers, offer])!.request.query!))).toEqual([]);
  });
});

describe('fetches nothing in a plan waits for', () => {
  const fetch = (serviceName: string, operation: string): PlanNode => ({ kind: 'Fetch', serviceName, operation, variableUsages: [], operationKind: 'query' }) as never;
  const flatten = (node: PlanNode): PlanNode => ({ kind: 'Flatten', path: ['x'], node });
  const plan = (node: PlanNode): QueryPlan => ({ kind: 'QueryPlan', node });
  /** The operations trailingFetches holds back in `node`'s plan, sorted. */
  const heldIn = (node: PlanNode | QueryPlan) => [...trailingFetches(node.kind === 'QueryPlan' ? node : plan(node))].sort();
  /** The feed's shape: placements, then merchants' services and coupons' offers side by side, with `more` beside them and `after` last. */
  const feed = (more: PlanNode[] = [], after: PlanNode[] = []): QueryPlan =>
    plan({
      kind: 'Sequence',
      nodes: [
        fetch('placements', 'root'),
        {
          kind: 'Parallel',
          nodes: [
            { kind: 'Sequence', nodes: [flatten(fetch('merchants', 'services')), flatten(fetch('coupons', 'offers'))] },
            flatten(fetch('coupons', 'offer')),
            flatten(fetch('membership', 'points')),
            ...more,
          ],
        },
        ...after,
      ],
    });

  it('are the last steps of their sequences, with a later fetch to the same subgraph to go out with', () => {
    // `services` is waited for; `points` has no later membership fetch to join
    expect(heldIn(feed())).toEqual(['offer', 'offers']);
  });

  it('leave out an operation that is also waited for somewhere, and anything followed by another step', () => {
    const held = heldIn({
      kind: 'Sequence',
      nodes: [
        { kind: 'Parallel', nodes: [flatten(fetch('coupons', 'offer')), flatten(fetch('coupons', 'early'))] },
        { kind: 'Parallel', nodes: [flatten(fetch('coupons', 'offer')), flatten(fetch('coupons', 'late')), flatten(fetch('coupons', 'later'))] },
      ],
    });
    expect(held).toEqual(['late', 'later']);
  });

  it('leave out a fetch whose only later fetch to its subgraph is waited for: it could only go out alone, after everything else', () => {
    // the headline query's shape: the user's points beside the feed, whose membership fetch the feed's next step waits for
    const held = heldIn({
      kind: 'Parallel',
      nodes: [
        { kind: 'Sequence', nodes: [fetch('users', 'me'), flatten(fetch('membership', 'points'))] },
        { kind: 'Sequence', nodes: [fetch('placements', 'feed'), flatten(fetch('membership', 'affinity')), flatten(fetch('placements', 'cards'))] },
      ],
    });
    expect(held).toEqual([]);
  });

  it('subgraphs fetched from at one place only are told apart (their fetches go out at once)', () => {
    const inContexts = { ...(fetch('reviews', 'byContext') as object), contextRewrites: [{ kind: 'KeyRenamer', path: ['..', 'id'], renameKeyTo: 'contextualArgument_1_0' }] } as never;
    const single = singleFetchSubgraphs(
      feed([flatten(inContexts)], [{ kind: 'Condition', condition: 'withBanner', ifClause: flatten(fetch('merchants', 'banner')) } as never]),
    );
    // coupons twice, merchants twice (a condition's branch counts), reviews' entities in several contexts may go out as several requests
    expect([...single].sort()).toEqual(['membership', 'placements']);
  });
});

describe('the body of a fetch', () => {
  const query = 'query Q__coupons__1($representations: [_Any!]!, $first: Int) { _entities(representations: $representations) { ... on Merchant { offers(first: $first) { title } } } }';
  const represented = (...values: Record<string, unknown>[]) => {
    representationTexts.set(values, values.map((value) => JSON.stringify(value)));
    return values;
  };

  it('is what JSON.stringify writes, the representations spliced in from the texts they were keyed by', () => {
    for (const request of [
      { query, variables: { first: 3, representations: represented({ __typename: 'Merchant', id: 'm1' }, { __typename: 'Merchant', id: 'm"2\\' }) }, operationName: 'Q__coupons__1' },
      { query, variables: { representations: represented({ __typename: 'Merchant', id: '外婆家' }) } },
      { query, variables: { representations: [] }, operationName: 'Q' },
      // representations without texts, and no representations at all: stringified as they are
      { query, variables: { representations: [{ __typename: 'Merchant', id: 'm3' }] }, operationName: 'Q' },
      { query: '{ homepage(city: "Shanghai") { city } }', variables: { city: 'x' } },
      // fetches combined into one operation: each one's representations under a name of its own, beside other variables
      {
        query,
        variables: { e0_representations: represented({ __typename: 'Merchant', id: 'm1' }), e0_first: 3, e1_skipped: undefined, e1_representations: represented({ __typename: 'Merchant', id: 'm4' }) },
        operationName: 'PlazaCombinedEntities',
      },
    ]) {
      expect(bodyText(request)).toBe(JSON.stringify(request));
    }
  });

  it('uses the texts, not the objects, when it has them', () => {
    const representations = represented({ __typename: 'Merchant', id: 'm1' });
    representationTexts.set(representations, ['{"__typename":"Merchant","id":"as written"}']);
    expect(JSON.parse(bodyText({ query, variables: { representations } })).variables.representations).toEqual([{ __typename: 'Merchant', id: 'as written' }]);
    expect(JSON.parse(bodyText({ query, variables: { e1_representations: representations } })).variables.e1_representations).toEqual([{ __typename: 'Merchant', id: 'as written' }]);
  });
});

describe("an entity fetch's distinct representations", () => {
  it('are sent once each, found by typename, key field and value without their text, with the texts JSON.stringify writes', () => {
    const distinct = new DistinctRepresentations<Record<string, unknown>>();
    const sent = [
      { __typename: 'Product', upc: '1' },
      { __typename: 'Product', upc: '2' },
      { __typename: 'Product', upc: '1' },
      // a number is not the string of its digits, in a map as in JSON
      { __typename: 'Product', upc: 1 },
      { __typename: 'User', upc: '1' },
      { __typename: 'Product', id: '1' },
      // other shapes go by their text: several fields, a composite key
      { __typename: 'Product', upc: '1', weight: 2 },
      { __typename: 'Product', upc: '1', weight: 2 },
      { __typename: 'Org', key: { id: '1' } },
      { __typename: 'Org', key: { id: '1' } },
      { __typename: 'Product', upc: '2' },
    ].map((representation) => distinct.addEntity(representation));
    expect(sent).toEqual([0, 1, 0, 2, 3, 4, 5, 5, 6, 6, 1]);
    expect(representationTexts.get(distinct.list)).toEqual(distinct.list.map((representation) => JSON.stringify(representation)));
  });

  it('are the same whether found by key or by text', () => {
    const distinct = new DistinctRepresentations<Record<string, unknown>>();
    const byText = distinct.add({ __typename: 'Product', upc: '7' }, JSON.stringify({ __typename: 'Product', upc: '7' }));
    expect(distinct.addEntity({ __typename: 'Product', upc: '7' })).toBe(byText);
    expect(distinct.list).toHaveLength(1);
  });
});
