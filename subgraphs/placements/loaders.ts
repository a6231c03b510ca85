import DataLoader from 'dataloader';
import type { SubgraphContext } from '../kit/server.ts';
import { outsideStatementScope, type EntityManager } from '../kit/orm.ts';
import { findRows } from '../kit/rows.ts';
import { groupBy, groupedBy, rowsGroupedBy } from '../kit/loaders.ts';
import { BoundedCache, ENTRY_BYTES, stringBytes } from '../../platform/caches.ts';
import { EVERY_CITY, Placement, PlacementCity, PlacementImpression } from './entities.ts';
import { figureDays, MAX_FIGURE_DAYS } from '../kit/figures.ts';
import { ImpressionCounter } from './impressions.ts';

/** A city's candidate placements: each slot's, and the targeted cities of each among (that city, every city). */
export interface CityCandidates {
  /** Approved placements of the slot not yet ended when read, highest priority first; the time window is checked when ranking. */
  inSlot(slot: string): readonly Placement[];
  citiesOf(placementId: string): readonly string[];
}

/** How long a city's candidate placements are reused before they are read again. */
const CANDIDATES_TTL_MS = 2_000;
/** How old a city's candidates may get while a newer read is under way; older ones are never served. */
const CANDIDATES_MAX_STALE_MS = 30_000;

/** How many cities are kept: cities with candidates of their own (some placement targets them), and cities found targeted by none. */
export const CANDIDATE_CACHE_BUDGET = { cities: 1000, untargeted: 10_000 } as const;

/** Approximate heap of one candidate placement row (about fifteen short fields) and of one targeted city. */
const ROW_BYTES = 800;
const TARGET_BYTES = 120;

export interface CityRows {
  bySlot: Map<string, Placement[]>;
  citiesById: Map<string, string[]>;
}

/** What a read answers when no placement targets the city: the city shares EVERY_CITY's candidates. */
export const UNTARGETED: CityRows = Object.freeze({ bySlot: new Map<string, Placement[]>(), citiesById: new Map<string, string[]>() });

interface CacheEntry {
  readAt: number;
  rows: Promise<CityRows>;
  /** Set once `rows` has resolved: only a settled entry is served while a newer read runs. */
  settled: boolean;
  refreshing: boolean;
  /** Approximate heap of the rows, once read. */
  bytes: number;
}

function rowsBytes(rows: CityRows): number {
  let bytes = 0;
  for (const list of rows.bySlot.values()) bytes += list.length * ROW_BYTES;
  for (const cities of rows.citiesById.values()) bytes += cities.length * TARGET_BYTES;
  return bytes;
}

/**
 * A city's candidate placements, shared by the requests of one running subgraph: every
 * viewer of a city ranks the same candidates, and reading tens of thousands of rows per
 * request would dominate the homepage (on the large seed one read is about 0.3 s).
 *
 * Candidates younger than the TTL are served as they are. Older ones (up to maxStaleMs)
 * are still served while one read of the city runs in the background, so no request waits
 * for it; past maxStaleMs a request waits for a fresh read. The time window is checked per
 * request. Submitting or reviewing a placement here drops every city at once (a read
 * already under way is discarded); other replicas see the change within the TTL plus one read.
 *
 * Only cities some placement targets keep candidates of their own (at most
 * `CANDIDATE_CACHE_BUDGET.cities`, least recently asked about first out): any other city's
 * candidates are EVERY_CITY's, one entry they all share, and the city is only remembered as
 * untargeted (for the TTL, at most `CANDIDATE_CACHE_BUDGET.untargeted` of them), so asking
 * about any number of cities that do not exist holds no more memory. Reported in /metrics as
 * `candidates` and `untargeted_cities`.
 */
export class CandidateCache {
  /** A read started before clear() finds its entry gone (or replaced) and leaves the cache alone. */
  private readonly cities: BoundedCache<string, CacheEntry>;
  /** Cities a read found targeted by no placement, and when. */
  private readonly untargeted: BoundedCache<string, number>;

  constructor(
    private readonly ttlMs = CANDIDATES_TTL_MS,
    private readonly maxStaleMs = CANDIDATES_MAX_STALE_MS,
    budget: { cities: number; untargeted: number } = CANDIDATE_CACHE_BUDGET,
  ) {
    this.cities = new BoundedCache('candidates', { maxEntries: budget.cities }, (city, entry) => ENTRY_BYTES + stringBytes(city) + entry.bytes);
    this.untargeted = new BoundedCache('untargeted_cities', { maxEntries: budget.untargeted }, (city) => ENTRY_BYTES + stringBytes(city) + 16);
  }

  /**
   * The candidates of `city`: its own when a placement targets it, otherwise EVERY_CITY's.
   * `read(city)` reads a city's rows, or answers UNTARGETED when no placement targets it.
   */
  async candidates(city: string, read: (city: string) => Promise<CityRows>): Promise<CityRows> {
    if (city !== EVERY_CITY && !this.isUntargeted(city)) {
      const rows = await this.rows(city, () => read(city));
      if (rows !== UNTARGETED) return rows;
    }
    return this.rows(EVERY_CITY, () => read(EVERY_CITY));
  }

  /** The rows of one cache entry, read by `read` when missing or too old. */
  rows(city: string, read: () => Promise<CityRows>): Promise<CityRows> {
    const hit = this.cities.get(city);
    const age = hit ? Date.now() - hit.readAt : Infinity;
    if (hit && age < this.ttlMs) return hit.rows;
    if (hit && hit.settled && age < this.maxStaleMs) {
      if (!hit.refreshing) this.refresh(city, hit, read);
      return hit.rows;
    }
    return this.start(city, read).rows;
  }

  /** Cities with candidates of their own, and cities remembered as untargeted. */
  get size(): { cities: number; untargeted: number } {
    return { cities: this.cities.entries(), untargeted: this.untargeted.entries() };
  }

  clear(): void {
    this.cities.clear();
    this.untargeted.clear();
  }

  /** Empties the cache and stops reporting it (the subgraph stops). */
  close(): void {
    this.cities.close();
    this.untargeted.close();
  }

  private isUntargeted(city: string): boolean {
    const at = this.untargeted.get(city);
    return at !== undefined && Date.now() - at < this.ttlMs;
  }

  /** An entry's rows are read: kept with their size, or, when no placement targets the city, dropped for EVERY_CITY's. */
  private settle(city: string, entry: CacheEntry, rows: CityRows): void {
    if (this.cities.peek(city) !== entry) return;
    if (rows === UNTARGETED) {
      this.cities.delete(city);
      this.untargeted.set(city, entry.readAt);
      return;
    }
    entry.bytes = rowsBytes(rows);
    this.cities.set(city, entry);
  }

  private start(city: string, read: () => Promise<CityRows>): CacheEntry {
    const entry: CacheEntry = { readAt: Date.now(), rows: read(), settled: false, refreshing: false, bytes: 0 };
    this.cities.set(city, entry);
    entry.rows.then(
      (rows) => {
        entry.settled = true;
        this.settle(city, entry, rows);
      },
      () => {
        if (this.cities.peek(city) === entry) this.cities.delete(city);
      },
    );
    return entry;
  }

  /** Reads the city again in the background, outside any request's statement count; the stale entry serves meanwhile. */
  private refresh(city: string, stale: CacheEntry, read: () => Promise<CityRows>): void {
    stale.refreshing = true;
    const readAt = Date.now();
    const rows = outsideStatementScope(read);
    rows.then(
      (read) => {
        if (this.cities.peek(city) !== stale) return;
        const fresh: CacheEntry = { readAt, rows, settled: true, refreshing: false, bytes: 0 };
        this.cities.set(city, fresh);
        this.settle(city, fresh, read);
      },
      () => {
        // the stale entry keeps serving until maxStaleMs; the next request past the TTL tries again
        stale.refreshing = false;
      },
    );
  }
}

/** A city's candidate rows, or UNTARGETED (after one statement) when no placement targets the city. */
async function readCity(em: EntityManager, city: string, readAt: Date): Promise<CityRows> {
  const cities = [city, EVERY_CITY];
  const targets = await findRows(em, PlacementCity, { city: { $in: cities } });
  if (city !== EVERY_CITY && !targets.some((t) => t.city === city)) return UNTARGETED;
  const targeted = em.createQueryBuilder(PlacementCity).select('placementId').where({ city: { $in: cities } });
  // plain rows, not managed entities: tens of thousands per city on real volumes, read-only and shared
  const rows = await findRows(em, Placement, { id: { $in: targeted.getKnexQuery() }, status: 'APPROVED', endsAt: { $gt: readAt } } as never);
  const bySlot = groupBy(rows, (p) => p.slot);
  // highest priority first, then by id (a complete order): ranking stops scanning once nothing further down can reach a section
  for (const list of bySlot.values()) list.sort((a, b) => b.priority - a.priority || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { bySlot, citiesById: groupBy(targets, (t) => t.placementId, (t) => t.city) };
}

/** What every request of one running placements subgraph shares: the candidates and the impression counts waiting to be written. */
export class PlacementsShared {
  constructor(
    readonly candidates: CandidateCache,
    readonly impressions: ImpressionCounter,
  ) {}

  close(): Promise<void> {
    return this.impressions.close();
  }
}

export function createLoaders(em: EntityManager, shared: PlacementsShared) {
  const cache = shared.candidates;
  // one instant per request: every section of one answer is ranked at the same moment
  const now = new Date();

  /** Approved placements inside their time window that target each city or every city. */
  const servableByCity = new DataLoader<string, CityCandidates>(async (cities) =>
    Promise.all(
      cities.map(async (city) => {
        const { bySlot, citiesById } = await cache.candidates(city, (read) => readCity(em, read, now));
        return {
          inSlot: (slot: string) => bySlot.get(slot) ?? [],
          citiesOf: (id: string) => citiesById.get(id) ?? [],
        };
      }),
    ),
  );

  return {
    now,
    servableByCity,
    /** Counts one impression of each placement served in this request's feed. */
    served: (placements: readonly { id: string }[]) => shared.impressions.served(placements.map((p) => p.id), now),
    /** Each placement's impressions per day over the longest window figures show (MAX_FIGURE_DAYS up to today). */
    impressionsByPlacement: groupedBy(
      (ids: string[]) => findRows(em, PlacementImpression, { placementId: { $in: ids }, day: { $gte: figureDays(MAX_FIGURE_DAYS, now)[0] } }),
      (row) => row.placementId,
    ),
    /** Called after a placement changes, so the next homepage reads it. */
    placementsChanged: () => cache.clear(),
    /** Every city each placement targets (EVERY_CITY for all), for its Targeting. */
    citiesByPlacement: rowsGroupedBy(em, PlacementCity, 'placementId', { placementId: 'asc', city: 'asc' }),
    /** Every placement each merchant ever submitted, reviewed or not. */
    placementsByMerchant: rowsGroupedBy(em, Placement, 'merchantId', { merchantId: 'asc', id: 'asc' }),
  };
}
export type PlacementsLoaders = ReturnType<typeof createLoaders>;
export type Context = SubgraphContext<PlacementsLoaders>;
