import type { Resolvers } from './generated/resolvers-types.ts';
import { assertOwner, tierFor } from './service.ts';

export const resolvers: Resolvers = {
  User: {
    points: (user, _, { viewer, loaders }) => {
      assertOwner(viewer, user.id);
      return loaders.accountByUser.load(user.id);
    },
  },
  PointsAccount: {
    tier: (account) => tierFor(account.lifetimePoints),
  },
};
