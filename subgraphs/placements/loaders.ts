import DataLoader from 'dataloader';
import type { SubgraphContext } from '../kit/server.ts';
import { outsideStatementScope, type EntityManager } from '../kit/orm.ts';
import { findRows } from '../kit/rows.ts';
import { groupBy, groupedBy } from '../kit/loaders.ts';
import { EVERY_CITY, Placement, PlacementCity } from './entities.ts';

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

export interface CityRows {
  bySlot: Map<string, Placement[]>;
  citiesById: Map<string, string[]>;
}

interface CacheEntry {
  readAt: number;
  rows: Promise<CityRows>;
  /** Set once `rows` has resolved: only a settled entry is served while a newer read runs. */
  settled: boolean;
  refreshing: boolean;
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
 */
export class CandidateCache {
  /** A read started before clear() finds its entry gone (or replaced) and leaves the cache alone. */
  private readonly cities = new Map<string, CacheEntry>();

  constructor(
    private readonly ttlMs = CANDIDATES_TTL_MS,
    private readonly maxStaleMs = CANDIDATES_MAX_STALE_MS,
  ) {}

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

  clear(): void {
    this.cities.clear();
  }

  private start(city: string, read: () => Promise<CityRows>): CacheEntry {
    const entry: CacheEntry = { readAt: Date.now(), rows: read(), settled: false, refreshing: false };
    this.cities.set(city, entry);
    entry.rows.then(
      () => {
        entry.settled = true;
      },
      () => {
        if (this.cities.get(city) === entry) this.cities.delete(city);
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
      () => {
        if (this.cities.get(city) !== stale) return;
        this.cities.set(city, { readAt, rows, settled: true, refreshing: false });
      },
      () => {
        // the stale entry keeps serving until maxStaleMs; the next request past the TTL tries again
        stale.refreshing = false;
      },
    );
  }
}

async function readCity(em: EntityManager, city: string, readAt: Date): Promise<CityRows> {
  const cities = [city, EVERY_CITY];
  const targets = await findRows(em, PlacementCity, { city: { $in: cities } });
  const targeted = em.createQueryBuilder(PlacementCity).select('placementId').where({ city: { $in: cities } });
  // plain rows, not managed entities: tens of thousands per city on real volumes, read-only and shared
  const rows = await findRows(em, Placement, { id: { $in: targeted.getKnexQuery() }, status: 'APPROVED', endsAt: { $gt: readAt } } as never);
  const bySlot = groupBy(rows, (p) => p.slot);
  // highest priority first, then by id (a complete order): ranking stops scanning once nothing further down can reach a section
  for (const list of bySlot.values()) list.sort((a, b) => b.priority - a.priority || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { bySlot, citiesById: groupBy(targets, (t) => t.placementId, (t) => t.city) };
}

export function createLoaders(em: EntityManager, cache: CandidateCache) {
  // one instant per request: every section of one answer is ranked at the same moment
  const now = new Date();

  /** Approved placements inside their time window that target each city or every city. */
  const servableByCity = new DataLoader<string, CityCandidates>(async (cities) =>
    Promise.all(
      cities.map(async (city) => {
        const { bySlot, citiesById } = await cache.rows(city, () => readCity(em, city, now));
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
    /** Called after a placement changes, so the next homepage reads it. */
    placementsChanged: () => cache.clear(),
    /** Every city each placement targets (EVERY_CITY for all), for its Targeting. */
    citiesByPlacement: groupedBy(
      (ids: string[]) => findRows(em, PlacementCity, { placementId: { $in: ids } }, { orderBy: { placementId: 'asc', city: 'asc' } }),
      (t) => t.placementId,
    ),
    /** Every placement each merchant ever submitted, reviewed or not. */
    placementsByMerchant: groupedBy(
      (ids: string[]) => findRows(em, Placement, { merchantId: { $in: ids } }, { orderBy: { merchantId: 'asc', id: 'asc' } }),
      (p) => p.merchantId,
    ),
  };
}
export type PlacementsLoaders = ReturnType<typeof createLoaders>;
export type Context = SubgraphContext<PlacementsLoaders>;
