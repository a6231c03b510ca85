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

export function createLoaders(em: EntityManager) {
  // one instant per request: every section of one answer is ranked at the same moment
  const now = new Date();

  /** Approved placements inside their time window that target each city or every city: two queries per batch. */
  const servableByCity = new DataLoader<string, CityCandidates>(async (cities) => {
    const targets = await em.find(PlacementCity, { city: { $in: [...cities, EVERY_CITY] } });
    const ids = [...new Set(targets.map((t) => t.placementId))];
    const placements = ids.length
      ? await em.find(Placement, { id: { $in: ids }, status: 'APPROVED', startsAt: { $lte: now }, endsAt: { $gt: now } }, { orderBy: { id: 'asc' } })
      : [];
    const citiesById = new Map<string, string[]>();
    for (const t of targets) {
      const list = citiesById.get(t.placementId);
      if (list) list.push(t.city);
      else citiesById.set(t.placementId, [t.city]);
    }
    return cities.map((city) => {
      const here = placements.filter((p) => citiesById.get(p.id)!.some((c) => c === city || c === EVERY_CITY));
      return { placements: here, citiesOf: (id: string) => citiesById.get(id) ?? [] };
    });
  });

  return {
    now,
    servableByCity,
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
