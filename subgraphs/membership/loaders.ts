import type { SubgraphContext } from '../kit/server.ts';
import { byKey } from '../kit/loaders.ts';
import type { EntityManager } from '../kit/orm.ts';
import { PointsAccount } from './entities.ts';

export function createLoaders(em: EntityManager) {
  return {
    accountByUser: byKey((ids: string[]) => em.find(PointsAccount, { userId: { $in: ids } }), (a) => a.userId),
  };
}
export type MembershipLoaders = ReturnType<typeof createLoaders>;
export type Context = SubgraphContext<MembershipLoaders>;
