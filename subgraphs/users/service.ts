import type { Viewer } from '../kit/internal-token.ts';
import type { UsersLoaders } from './loaders.ts';
import type { User } from './entities.ts';

/** The signed-in user; anonymous callers have none. */
export function currentUser(viewer: Viewer, loaders: UsersLoaders): Promise<User | null> | null {
  return viewer.userId ? loaders.userById.load(viewer.userId) : null;
}
