import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATEGORY_NAMES_ZH, seedBrand, seedMerchant, seedServices, WORLD_SIZES } from '../subgraphs/kit/world.ts';
import { seedStores } from '../subgraphs/merchants/seed.ts';
import { startPlaza, type Plaza } from './support/plaza.ts';

const SIZE = WORLD_SIZES.small;
const SEARCH = `query Search($query: String!, $city: String, $first: Int, $after: String) {
  search(query: $query, city: $city, first: $first, after: $after) {
    edges { cursor match node { id name popularity } services { title } }
    pageInfo { hasNextPage endCursor }
  }
}`;

interface Edge {
  cursor: string;
  match: string;
  node: { id: string; name: string; popularity: number };
  services: { title: string }[];
}

const words = (...texts: string[]) => texts.flatMap((text) => text.normalize('NFKC').toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []);
const CHINESE = /\p{Script=Han}/u;

/**
 * The documented rule, computed from the seed: a Chinese query word matches anywhere in a
 * word, any other word as a word prefix, in the merchant's Chinese or English names (NAME)
 * or also its category and service titles in both languages (KEYWORD); name matches
 * first, then keyword matches, each by popularity, then id.
 */
function expected(query: string, city?: string): { id: string; match: string }[] {
  const terms = [...new Set(words(query))];
  const covers = (haystack: string[]) => terms.every((t) => haystack.some((w) => (CHINESE.test(t) ? w.includes(t) : w.startsWith(t))));
  const hits: { id: string; match: string; tier: number; popularity: number }[] = [];
  for (let i = 0; i < SIZE.merchants; i++) {
    const m = seedMerchant(i);
    if (city && !seedStores(i).some((s) => s.city === city)) continue;
    const name = words(m.name, m.nameEn);
    const category = m.category as keyof typeof CATEGORY_NAMES_ZH;
    const keywords = [...name, ...words(m.category, CATEGORY_NAMES_ZH[category]), ...seedServices(i, SIZE).flatMap((s) => words(s.title, s.titleEn))];
    if (covers(name)) hits.push({ id: m.id, match: 'NAME', tier: 0, popularity: m.popularity });
    else if (covers(keywords)) hits.push({ id: m.id, match: 'KEYWORD', tier: 1, popularity: m.popularity });
  }
  hits.sort((a, b) => a.tier - b.tier || b.popularity - a.popularity || (a.id < b.id ? -1 : 1));
  return hits.map(({ id, match }) => ({ id, match }));
}

let plaza: Plaza;
beforeAll(async () => {
  plaza = await startPlaza();
});
afterAll(() => plaza?.stop());

async function search(variables: Record<string, unknown>) {
  const { status, body } = await plaza.query(SEARCH, variables);
  expect(status).toBe(200);
  expect(body.errors).toBeUndefined();
  return body.data.search as { edges: Edge[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}

/** Every result of a search, page by page. */
async function allPages(query: string, city: string | undefined, first: number): Promise<Edge[]> {
  const edges: Edge[] = [];
  let after: string | null = null;
  for (let page = 0; page < 100; page++) {
    const result = await search({ query, city, first, after });
    edges.push(...result.edges);
    if (!result.pageInfo.hasNextPage) return edges;
    expect(result.pageInfo.endCursor).toBe(result.edges.at(-1)!.cursor);
    after = result.pageInfo.endCursor;
  }
  throw new Error('search never ended');
}

describe('the search bar', () => {
  it('finds merchants named "coffee" before those that only sell coffee, each by popularity', async () => {
    const want = expected('coffee', 'Shanghai');
    expect(want.some((h) => h.match === 'NAME') && want.some((h) => h.match === 'KEYWORD')).toBe(true);
    const result = await search({ query: 'Coffee', city: 'Shanghai', first: 50 });
    expect(result.edges.map((e) => ({ id: e.node.id, match: e.match }))).toEqual(want.slice(0, 50));
    const popularity = result.edges.filter((e) => e.match === 'NAME').map((e) => e.node.popularity);
    expect(popularity).toEqual([...popularity].sort((a, b) => b - a));
  });

  it('matches word prefixes and every word, in names and in service titles', async () => {
    for (const query of ['bamboo hot', 'member card', 'book', 'tea house', 'visa', 'cloud 7']) {
      const want = expected(query);
      expect(want.length, query).toBeGreaterThan(0);
      const got = await allPages(query, undefined, 50);
      expect(got.map((e) => ({ id: e.node.id, match: e.match })), query).toEqual(want);
    }
    const card = await search({ query: 'member card', first: 1 });
    expect(card.edges[0].services.map((s) => s.title)).toEqual(['会员卡']);
  });

  it('finds 蜜雪冰城 by its Chinese name first, its most popular branch on top, and by its English name too', async () => {
    const branches = Array.from({ length: SIZE.merchants }, (_, i) => i)
      .filter((i) => seedBrand(i).zh === '蜜雪冰城')
      .map((i) => seedMerchant(i))
      .sort((a, b) => b.popularity - a.popularity || (a.id < b.id ? -1 : 1));
    expect(branches.length).toBeGreaterThan(1);
    const result = await search({ query: '蜜雪冰城', first: 50 });
    expect(result.edges[0].node).toMatchObject({ id: branches[0].id, name: branches[0].name });
    expect(result.edges[0].node.name.startsWith('蜜雪冰城')).toBe(true);
    expect(result.edges.map((e) => ({ id: e.node.id, match: e.match }))).toEqual(expected('蜜雪冰城').slice(0, 50));
    expect(result.edges.map((e) => e.node.id)).toEqual(branches.map((m) => m.id));
    const english = await search({ query: 'Mixue', first: 50 });
    expect(english.edges.map((e) => e.node.id)).toEqual(branches.map((m) => m.id));
  });

  it('answers one- and two-character queries sensibly: names holding them first, then merchants selling them', async () => {
    for (const query of ['茶', '咖啡', '会员', '蜜雪 冰城', '火锅', 'mi', '店']) {
      const want = expected(query);
      expect(want.length, query).toBeGreaterThan(0);
      const got = await allPages(query, undefined, 50);
      expect(got.map((e) => ({ id: e.node.id, match: e.match })), query).toEqual(want);
    }
    // 茶 is in the names of 喜茶 and 云山茶馆 (NAME) and in the coffee category's name 咖啡茶饮 (KEYWORD)
    const tea = await search({ query: '茶', first: 50 });
    expect(tea.edges[0].match).toBe('NAME');
    expect(tea.edges[0].node.name).toMatch(/茶/);
    expect(tea.edges.some((e) => e.match === 'KEYWORD')).toBe(true);
    const services = await search({ query: '会员', first: 1 });
    expect(services.edges[0].services.map((s) => s.title)).toEqual(['会员卡']);
  });

  it('pages through results without gaps or repeats', async () => {
    const want = expected('order').map((h) => h.id);
    expect(want.length).toBeGreaterThan(20);
    const paged = (await allPages('order', undefined, 7)).map((e) => e.node.id);
    expect(new Set(paged).size).toBe(paged.length);
    expect(paged).toEqual(want);
  });

  it('lists the most popular merchants for an empty query, and nothing for a query that matches nothing', async () => {
    const popular = await search({ query: '   ', city: 'Beijing', first: 5 });
    expect(popular.edges.every((e) => e.match === 'POPULAR')).toBe(true);
    const byPopularity = Array.from({ length: SIZE.merchants }, (_, i) => i)
      .filter((i) => seedStores(i).some((s) => s.city === 'Beijing'))
      .map((i) => seedMerchant(i))
      .sort((a, b) => b.popularity - a.popularity || (a.id < b.id ? -1 : 1));
    expect(popular.edges.map((e) => e.node.id)).toEqual(byPopularity.slice(0, 5).map((m) => m.id));
    expect((await search({ query: 'zzzyxq', first: 5 })).edges).toEqual([]);
  });

  it('treats search-syntax characters as plain separators, never as an error', async () => {
    for (const query of ['"coffee', 'coffee OR NEAR(', 'name:coffee*', "'; drop table merchants; --", '咖啡', '😀']) {
      const result = await search({ query, first: 5 });
      expect(Array.isArray(result.edges), query).toBe(true);
    }
    expect((await search({ query: 'coffee"*)(', first: 50 })).edges.map((e) => e.node.id)).toEqual(expected('coffee').slice(0, 50).map((h) => h.id));
  });

  it('refuses a query over 100 characters, a bad cursor and a page over 50 with BAD_USER_INPUT', async () => {
    expect((await search({ query: `coffee ${'x'.repeat(93)}`, first: 1 })).edges).toEqual([]);
    for (const variables of [{ query: 'x'.repeat(101) }, { query: 'coffee', after: 'not-a-cursor' }, { query: 'coffee', first: 51 }, { query: 'coffee', first: 0 }]) {
      const { status, body } = await plaza.query(SEARCH, variables);
      expect(status).toBe(200);
      expect(body.errors?.[0].extensions?.code, JSON.stringify(variables).slice(0, 60)).toBe('BAD_USER_INPUT');
    }
  });

  it('shows a merchant\'s category, stores with cities, mini-program, services and deep links', async () => {
    const { body } = await plaza.query(`{
      merchant(id: "m1") { category stores { city address } miniProgram { appId homeLink services { title deepLink } merchant { id } }
                           services { id deepLink miniProgram { appId } } }
      merchantCategories { name merchantCount } }`);
    expect(body.errors).toBeUndefined();
    const m = body.data.merchant;
    expect(m.category).toBe(seedMerchant(0).category);
    expect(m.stores.map((s: { city: string }) => s.city)).toEqual(seedStores(0).map((s) => s.city));
    expect(m.stores.length).toBe(2);
    expect(m.miniProgram).toMatchObject({ appId: 'mp-1', homeLink: 'plaza://mini/mp-1', merchant: { id: 'm1' } });
    expect(m.miniProgram.services.map((s: { deepLink: string }) => s.deepLink)).toEqual(seedServices(0, SIZE).map((s) => s.deepLink));
    expect(m.services.every((s: { miniProgram: { appId: string } }) => s.miniProgram.appId === 'mp-1')).toBe(true);
    const counts = body.data.merchantCategories;
    expect(counts.map((c: { name: string }) => c.name)).toEqual(['beauty', 'coffee', 'fitness', 'food', 'hotel', 'movies', 'retail', 'travel']);
    expect(counts.reduce((sum: number, c: { merchantCount: number }) => sum + c.merchantCount, 0)).toBe(SIZE.merchants);
  });
});
