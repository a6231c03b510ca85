import DataLoader from 'dataloader';
import type { SubgraphContext } from '../kit/server.ts';
import type { EntityManager } from '../kit/orm.ts';
import { groupedBy } from '../kit/loaders.ts';
import { EVERY_CITY, Placement, PlacementCity } from './entities.ts';

/** A city's servable placements and, for each, the targeted cities among (that city, every city). */
export interface CityCandidates {
  placements: Placement[];
  citiesOf(placementId: string): readonly string[];
}

/** How long a city's candidate placements are reused before they are read again. */
export const CANDIDATES_TTL_MS = 2_000;

interface CityRows {
  /** Approved placements not yet ended when read, targeting the city or every city. */
  placements: Placement[];
  citiesById: Map<string, string[]>;
}

/**
 * A city's candidate placements, shared by the requests of one running subgraph for
 * CANDIDATES_TTL_MS: every viewer of a city ranks the same candidates, and reading tens of
 * thousands of rows per request would dominate the homepage. The time window is still
 * checked per request; submitting or reviewing a placement here drops the cache at once,
 * other replicas see the change within the TTL.
 */
export class CandidateCache {
  private readonly cities = new Map<string, { readAt: number; rows: Promise<CityRows> }>();
  constructor(private readonly ttlMs = CANDIDATES_TTL_MS) {}

  rows(city: string, read: () => Promise<CityRows>): Promise<CityRows> {
    const hit = this.cities.get(city);
    if (hit && Date.now() - hit.readAt < this.ttlMs) return hit.rows;
    const rows = read();
    this.cities.set(city, { readAt: Date.now(), rows });
    rows.catch(() => this.cities.delete(city));
    return rows;
  }

  clear(): void {
    this.cities.clear();
  }
}

async function readCity(em: EntityManager, city: string, readAt: Date): Promise<CityRows> {
  const targets = await em.find(PlacementCity, { city: { $in: [city, EVERY_CITY] } });
  const ids = [...new Set(targets.map((t) => t.placementId))];
  const placements = ids.length
    ? await em.find(Placement, { id: { $in: ids }, status: 'APPROVED', endsAt: { $gt: readAt } }, { orderBy: { id: 'asc' } })
    : [];
  const citiesById = new Map<string, string[]>();
  for (const t of targets) {
    const list = citiesById.get(t.placementId);
    if (list) list.push(t.city);
    else citiesById.set(t.placementId, [t.city]);
  }
  return { placements, citiesById };
}

export function createLoaders(em: EntityManager, _viewer?: unknown, cache: CandidateCache = new CandidateCache(0)) {
  // one instant per request: every section of one answer is ranked at the same moment
  const now = new Date();

  /** Approved placements inside their time window that target each city or every city. */
  const servableByCity = new DataLoader<string, CityCandidates>(async (cities) =>
    Promise.all(
      cities.map(async (city) => {
        const { placements, citiesById } = await cache.rows(city, () => readCity(em.fork(), city, now));
        return {
          placements: placements.filter((p) => p.startsAt <= now && now < p.endsAt),
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
      (ids: string[]) => em.find(PlacementCity, { placementId: { $in: ids } }, { orderBy: { placementId: 'asc', city: 'asc' } }),
      (t) => t.placementId,
    ),
    /** Every placement each merchant ever submitted, reviewed or not. */
    placementsByMerchant: groupedBy(
      (ids: string[]) => em.find(Placement, { merchantId: { $in: ids } }, { orderBy: { merchantId: 'asc', id: 'asc' } }),
      (p) => p.merchantId,
    ),
  };
}
export type PlacementsLoaders = ReturnType<typeof createLoaders>;
export type Context = SubgraphContext<PlacementsLoaders>;
