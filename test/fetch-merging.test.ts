import { describe, expect, it } from 'vitest';
import { isEntityFetch, mergeEntityFetches, mergeKey } from '../gateway/fetch-merging.ts';

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
    // a shared entity is a copy in each place: the gateway merges into what it gets
    const aEntities = (a.data as { _entities: object[] })._entities;
    const bEntities = (b.data as { _entities: object[] })._entities;
    expect(bEntities[2]).not.toBe(aEntities[0]);
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
