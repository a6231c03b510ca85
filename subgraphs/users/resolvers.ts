import type { Resolvers } from './generated/resolvers-types.ts';
import { currentUser } from './service.ts';

export const resolvers: Resolvers = {
  Query: {
    me: (_, __, { viewer, loaders }) => currentUser(viewer, loaders),
  },
  User: {
    __resolveReference: (ref, { loaders }) => loaders.userById.load(ref.id),
  },
};
