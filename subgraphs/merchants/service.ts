import { badUserInput } from '../../platform/errors.ts';
import { checkFirst } from '../kit/viewer.ts';
import type { Dialect, EntityManager } from '../kit/orm.ts';
import { CATEGORY_NAMES_ZH } from '../kit/world.ts';
import { MerchantSearchText, type MerchantService } from './entities.ts';

/** Merchant ids are short opaque strings; anything else cannot name a merchant. */
export function isPlausibleId(id: string): boolean {
  return id.length > 0 && id.length <= 64;
}

// ---- search ------------------------------------------------------------------------------

/** The words of a text as search compares them: NFKC, lower case, letters and digits. Queries and titles must split alike. */
function wordsOf(text: string): string[] {
  return text.normalize('NFKC').toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** Longest search query accepted, in characters (after trimming); longer is BAD_USER_INPUT. */
export const MAX_QUERY_LENGTH = 100;
/** Words of a query that count; the rest are ignored. */
export const MAX_QUERY_TERMS = 8;
/** Largest page of search results. */
export const MAX_SEARCH_PAGE = 50;

/** How a merchant matched: all words in its name, all words in its name, category and services, or an empty query. */
export type SearchMatch = 'NAME' | 'KEYWORD' | 'POPULAR';
const TIERS: SearchMatch[] = ['NAME', 'KEYWORD', 'POPULAR'];

/** One search hit, in result order: match tier, then popularity (higher first), then id. */
export interface SearchHit {
  id: string;
  tier: number;
  popularity: number;
}

export interface SearchPage {
  hits: SearchHit[];
  hasNextPage: boolean;
  /** The words searched for, lower-cased (empty for an empty query). */
  terms: string[];
}

/**
 * The words of a query: Unicode letters and digits, lower-cased, first MAX_QUERY_TERMS
 * distinct ones. Everything else (punctuation, FTS operators, quotes) only separates words.
 */
export function searchTerms(query: string): string[] {
  const trimmed = query.trim();
  if (trimmed.length > MAX_QUERY_LENGTH) badUserInput('query', `query must be at most ${MAX_QUERY_LENGTH} characters`);
  const words = wordsOf(trimmed);
  return [...new Set(words)].slice(0, MAX_QUERY_TERMS);
}

export function encodeCursor(hit: SearchHit): string {
  return Buffer.from(JSON.stringify([hit.tier, hit.popularity, hit.id])).toString('base64url');
}

export function decodeCursor(cursor: string): SearchHit {
  try {
    const [tier, popularity, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (Number.isInteger(tier) && Number.isInteger(popularity) && typeof id === 'string' && id.length <= 64) {
      return { tier: tier as number, popularity: popularity as number, id };
    }
  } catch {
    // falls through to the refusal below
  }
  return badUserInput('after', 'after must be a cursor from an earlier page of the same search');
}

export function matchOf(hit: SearchHit): SearchMatch {
  return TIERS[hit.tier];
}

/** Scripts written without spaces between words: a query word in them matches anywhere, not only at a word's start. */
const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Thai}]/u;

/**
 * Texts as search stores them (MerchantSearchText): their words, NFKC and lower case,
 * between single spaces and with a space before the first, so that a word prefix is a
 * substring that starts with a space.
 */
export function searchText(...texts: string[]): string {
  return ` ${texts.flatMap(wordsOf).join(' ')}`;
}

/**
 * The LIKE pattern one query word matches a search text with: a Chinese (or other
 * unspaced) word anywhere, any other word as a word prefix. Words hold only letters and
 * digits, so nothing in them is a LIKE wildcard.
 */
export function likePattern(term: string): string {
  return UNSPACED.test(term) ? `%${term}%` : `% ${term}%`;
}

/** Whether a search text holds every query word, by the rule likePattern writes in SQL. */
export function matchesAll(text: string, terms: string[]): boolean {
  return terms.every((term) => text.includes(UNSPACED.test(term) ? term : ` ${term}`));
}

/**
 * One page of merchants matching a query, best first: merchants whose name holds every
 * word before those matching only through category or service titles, then by
 * popularity, then id. Keyset pagination on (tier, popularity, id) never skips or
 * repeats a merchant between pages. An empty query lists the most popular merchants.
 * A city narrows to merchants with a store there.
 */
export async function searchMerchants(
  em: EntityManager,
  dialect: Dialect,
  args: { query: string; city?: string | null; first: number; after?: string | null },
): Promise<SearchPage> {
  const terms = searchTerms(args.query);
  checkFirst(args.first, MAX_SEARCH_PAGE);
  const city = args.city?.trim() || null;
  if (city && city.length > 64) badUserInput('city', 'city must be at most 64 characters');
  const after = args.after ? decodeCursor(args.after) : { tier: -1, popularity: 0, id: '' };
  const inCity = `(cast(? as text) is null or exists (select 1 from stores st where st.merchant_id = m.id and st.city = ?))`;
  let ranked: string;
  let params: unknown[];
  if (terms.length === 0) {
    ranked = `select m.id, m.popularity, 2 as tier from merchants m where ${inCity}`;
    params = [city, city];
  } else {
    const patterns = terms.map(likePattern);
    const like = (column: string) => terms.map(() => `${column} like ?`).join(' and ');
    // SQLite answers the LIKEs from its FTS5 trigram index, PostgreSQL from its pg_trgm GIN indexes
    const [inName, inKeywords] =
      dialect === 'sqlite'
        ? [`t.rowid in (select rowid from merchant_search where ${like('name')})`, `t.rowid in (select rowid from merchant_search where ${like('keywords')})`]
        : [like('t.name'), like('t.keywords')];
    ranked = `select m.id, m.popularity, case when ${inName} then 0 else 1 end as tier
      from merchant_search_text t join merchants m on m.id = t.merchant_id
      where ${inKeywords} and ${inCity}`;
    params = [...patterns, ...patterns, city, city];
  }
  const rows = (await em.getConnection().execute(
    `select id, popularity, tier from (${ranked}) r
     where r.tier > ? or (r.tier = ? and (r.popularity < ? or (r.popularity = ? and r.id > ?)))
     order by r.tier asc, r.popularity desc, r.id asc
     limit ?`,
    [...params, after.tier, after.tier, after.popularity, after.popularity, after.id, args.first + 1],
  )) as { id: string; popularity: number | string; tier: number | string }[];
  const hits = rows.map((r) => ({ id: r.id, popularity: Number(r.popularity), tier: Number(r.tier) }));
  return { hits: hits.slice(0, args.first), hasNextPage: hits.length > args.first, terms };
}

/** The services of a merchant whose title (Chinese or English) holds every searched word. */
export function matchingServices(services: MerchantService[], terms: string[]): MerchantService[] {
  if (terms.length === 0) return [];
  return services.filter((service) => matchesAll(searchText(service.title, service.titleEn), terms));
}

/** Merchants read per batch while the search texts are rebuilt. */
const INDEX_BATCH = 2000;

/**
 * Builds (or rebuilds, when merchants changed in number) what search runs on: one
 * MerchantSearchText row per merchant, and its index. SQLite indexes the rows with an
 * FTS5 trigram table (external content, so the text is stored once); PostgreSQL with
 * pg_trgm GIN indexes. Both are made here rather than in migrations: the ORM's schema
 * diff cannot describe a virtual table or an operator-class index and would drop them.
 */
export async function ensureSearchIndex(em: EntityManager, dialect: Dialect): Promise<void> {
  const connection = em.getConnection();
  const count = async (table: string) => Number(((await connection.execute(`select count(*) as n from ${table}`)) as { n: number | string }[])[0].n);
  let indexed: number;
  if (dialect === 'sqlite') {
    const [existing] = (await connection.execute(`select sql from sqlite_master where type = 'table' and name = 'merchant_search'`)) as { sql: string }[];
    // the word index of earlier versions cannot find Chinese inside a word
    if (existing && !existing.sql.includes('trigram')) await connection.execute('drop table merchant_search');
    await connection.execute(`create virtual table if not exists merchant_search using fts5(name, keywords, content = 'merchant_search_text', tokenize = 'trigram')`);
    indexed = await count('merchant_search_docsize');
  } else {
    await connection.execute('create extension if not exists pg_trgm');
    await connection.execute('create index if not exists merchant_search_text_name_trgm on merchant_search_text using gin (name gin_trgm_ops)');
    await connection.execute('create index if not exists merchant_search_text_keywords_trgm on merchant_search_text using gin (keywords gin_trgm_ops)');
    indexed = await count('merchant_search_text');
  }
  const merchants = await count('merchants');
  if (indexed === merchants && (await count('merchant_search_text')) === merchants) return;
  // not one transaction: an interrupted rebuild leaves the counts unequal, so the next start rebuilds again
  await connection.execute('delete from merchant_search_text');
  let after = '';
  for (;;) {
    const batch = (await connection.execute(`select id, name, name_en, category from merchants where id > ? order by id limit ${INDEX_BATCH}`, [after])) as {
      id: string;
      name: string;
      name_en: string;
      category: string;
    }[];
    if (batch.length === 0) break;
    after = batch.at(-1)!.id;
    const services = (await connection.execute(
      `select merchant_id, title, title_en from merchant_services where merchant_id in (${batch.map(() => '?').join(', ')}) order by merchant_id, position`,
      batch.map((m) => m.id),
    )) as { merchant_id: string; title: string; title_en: string }[];
    const titles = new Map<string, string[]>();
    for (const service of services) {
      const list = titles.get(service.merchant_id) ?? [];
      list.push(service.title, service.title_en);
      titles.set(service.merchant_id, list);
    }
    await em.insertMany(
      MerchantSearchText,
      batch.map((m) => ({
        merchantId: m.id,
        name: searchText(m.name, m.name_en),
        keywords: searchText(m.name, m.name_en, m.category, CATEGORY_NAMES_ZH[m.category as keyof typeof CATEGORY_NAMES_ZH] ?? '', ...(titles.get(m.id) ?? [])),
      })),
    );
  }
  if (dialect === 'sqlite') await connection.execute(`insert into merchant_search (merchant_search) values ('rebuild')`);
}

/** Merchants per category, for browsing. */
export async function categoryCounts(em: EntityManager): Promise<{ name: string; merchantCount: number }[]> {
  const rows = (await em.getConnection().execute('select category as name, count(*) as n from merchants group by category order by category')) as {
    name: string;
    n: number | string;
  }[];
  return rows.map((r) => ({ name: r.name, merchantCount: Number(r.n) }));
}


/** A search result as resolvers pass it on: the hit and the words searched. */
export interface SearchEdge {
  hit: SearchHit;
  terms: string[];
}

export interface SearchConnection {
  edges: SearchEdge[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

export function connectionOf(page: SearchPage): SearchConnection {
  const last = page.hits.at(-1);
  return {
    edges: page.hits.map((hit) => ({ hit, terms: page.terms })),
    pageInfo: { hasNextPage: page.hasNextPage, endCursor: last ? encodeCursor(last) : null },
  };
}
