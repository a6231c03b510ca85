import { assertOwner } from '../kit/viewer.ts';
import type { Resolvers } from './generated/resolvers-types.ts';
import { currentUser, editGrid, effectiveGrid, pinService, removeService, replaceGrid } from './service.ts';

export const resolvers: Resolvers = {
  Query: {
    me: (_, __, { viewer, loaders }) => currentUser(viewer, loaders),
  },
  Mutation: {
    setGrid: (_, { serviceIds }, { em, viewer }) => editGrid(em, viewer, () => replaceGrid(serviceIds)),
    pinService: (_, { serviceId, position }, { em, viewer }) => editGrid(em, viewer, (edits) => pinService(edits, serviceId, position)),
    removeService: (_, { serviceId }, { em, viewer }) => editGrid(em, viewer, (edits) => removeService(edits, serviceId)),
    moveService: (_, { serviceId, position }, { em, viewer }) => editGrid(em, viewer, (edits) => pinService(edits, serviceId, position)),
  },
  User: {
    // the representation carries defaultGrid when a plan asks for grid; keep it beside the row
    __resolveReference: async (ref, { loaders }) => {
      const user = await loaders.userById.load(ref.id);
      return user ? { ...user, defaultGrid: ref.defaultGrid } : null;
    },
    grid: async (user, _, { viewer, loaders }) => {
      assertOwner(viewer, user.id, 'Grids');
      const edits = await loaders.gridByUser.load(user.id);
      return effectiveGrid(edits, (user.defaultGrid ?? []).map((s) => s.id));
    },
  },
  GridItem: {
    service: (entry) => ({ id: entry.serviceId }),
  },
};
