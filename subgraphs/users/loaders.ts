import type { SubgraphContext } from '../kit/server.ts';
import { byKey } from '../kit/loaders.ts';
import type { EntityManager } from '../kit/orm.ts';
import { User, UserGrid } from './entities.ts';

export function createLoaders(em: EntityManager) {
  return {
    userById: byKey((ids: string[]) => em.find(User, { id: { $in: ids } }), (user) => user.id),
    gridByUser: byKey((ids: string[]) => em.find(UserGrid, { userId: { $in: ids } }), (grid) => grid.userId),
  };
}
export type UsersLoaders = ReturnType<typeof createLoaders>;
export type Context = SubgraphContext<UsersLoaders>;
