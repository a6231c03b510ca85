import { badUserInput } from '../kit/errors.ts';
import { checkFirst } from '../kit/viewer.ts';
import type { Dialect, EntityManager } from '../kit/orm.ts';
import type { MerchantService } from './entities.ts';

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

/** FTS5 query: every word as a prefix, all of them, in the given columns. */
function ftsQuery(columns: string, terms: string[]): string {
  return `${columns} : (${terms.map((t) => `"${t}"*`).join(' AND ')})`;
}

/** PostgreSQL tsquery: every word as a prefix, all of them. */
function tsQuery(terms: string[]): string {
  return terms.map((t) => `${t}:*`).join(' & ');
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
  } else if (dialect === 'sqlite') {
    ranked = `select m.id, m.popularity,
        case when m.id in (select merchant_id from merchant_search where merchant_search match ?) then 0 else 1 end as tier
      from merchants m
      where m.id in (select merchant_id from merchant_search where merchant_search match ?) and ${inCity}`;
    params = [ftsQuery('name', terms), ftsQuery('{name keywords}', terms), city, city];
  } else {
    ranked = `select m.id, m.popularity,
        case when to_tsvector('simple', m.name) @@ to_tsquery('simple', ?) then 0 else 1 end as tier
      from merchants m
      where to_tsvector('simple', m.name || ' ' || m.category || ' ' ||
              coalesce((select string_agg(s.title, ' ') from merchant_services s where s.merchant_id = m.id), ''))
            @@ to_tsquery('simple', ?)
        and ${inCity}`;
    params = [tsQuery(terms), tsQuery(terms), city, city];
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

/** The services of a merchant whose title holds every searched word (as a word prefix). */
export function matchingServices(services: MerchantService[], terms: string[]): MerchantService[] {
  if (terms.length === 0) return [];
  return services.filter((service) => {
    const words = wordsOf(service.title);
    return terms.every((term) => words.some((word) => word.startsWith(term)));
  });
}

/**
 * Builds (or rebuilds, when merchants changed in number) the SQLite FTS5 index search
 * runs on: one row per merchant with its name, and its category and service titles as
 * keywords. PostgreSQL searches the tables directly with to_tsvector.
 */
export async function ensureSearchIndex(em: EntityManager, dialect: Dialect): Promise<void> {
  if (dialect !== 'sqlite') return;
  const connection = em.getConnection();
  await connection.execute(
    `create virtual table if not exists merchant_search using fts5(merchant_id unindexed, name, keywords, tokenize = 'unicode61 remove_diacritics 2')`,
  );
  const [{ indexed }] = (await connection.execute('select count(*) as indexed from merchant_search')) as { indexed: number }[];
  const [{ merchants }] = (await connection.execute('select count(*) as merchants from merchants')) as { merchants: number }[];
  if (Number(indexed) === Number(merchants)) return;
  // not one transaction: an interrupted rebuild leaves the counts unequal, so the next start rebuilds again
  await connection.execute('delete from merchant_search');
  await connection.execute(
    `insert into merchant_search (merchant_id, name, keywords)
     select m.id, m.name, m.category || ' ' || coalesce((select group_concat(s.title, ' ') from merchant_services s where s.merchant_id = m.id), '')
     from merchants m`,
  );
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
