import type { SubgraphContext } from '../kit/server.ts';
import { byKey } from '../kit/loaders.ts';
import type { EntityManager } from '../kit/orm.ts';
import { User } from './entities.ts';

export function createLoaders(em: EntityManager) {
  return {
    userById: byKey((ids: string[]) => em.find(User, { id: { $in: ids } }), (user) => user.id),
  };
}
export type UsersLoaders = ReturnType<typeof createLoaders>;
export type Context = SubgraphContext<UsersLoaders>;
