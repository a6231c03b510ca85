import type { Resolvers } from './generated/resolvers-types.ts';
import { checkCity, homepageSections } from './service.ts';

export const resolvers: Resolvers = {
  Query: {
    homepage: async (_, args, { loaders }) => {
      const city = checkCity(args.city);
      return homepageSections(city, await loaders.servableByCity.load(city));
    },
  },
  Placement: {
    service: (placement) => ({ id: placement.serviceId }),
    offer: (placement) => (placement.offerId ? { id: placement.offerId } : null),
  },
};
