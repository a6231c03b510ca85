import type { SubgraphContext } from '../kit/server.ts';
import type { EntityManager } from '../kit/orm.ts';
import { Placement } from './entities.ts';
import { groupedBy } from '../kit/loaders.ts';

export function createLoaders(em: EntityManager) {
  const now = new Date();
  return {
    /** Approved placements inside their time window, per city. */
    servableByCity: groupedBy(
      (cities: string[]) =>
        em.find(Placement, { city: { $in: cities }, status: 'APPROVED', startsAt: { $lte: now }, endsAt: { $gt: now } }),
      (p) => p.city,
    ),
  };
}
export type PlacementsLoaders = ReturnType<typeof createLoaders>;
export type Context = SubgraphContext<PlacementsLoaders>;
