import type { Resolvers } from './generated/resolvers-types.ts';
import { isPlausibleId, miniProgramOf } from './service.ts';

export const resolvers: Resolvers = {
  Query: {
    merchant: (_, { id }, { loaders }) => (isPlausibleId(id) ? loaders.merchantById.load(id) : null),
  },
  Merchant: {
    __resolveReference: (ref, { loaders }) => loaders.merchantById.load(ref.id),
    miniProgram: (merchant) => miniProgramOf(merchant),
    services: (merchant, _, { loaders }) => loaders.servicesByMerchant.load(merchant.id),
  },
  MerchantService: {
    __resolveReference: (ref, { loaders }) => loaders.serviceById.load(ref.id),
    merchant: async (service, _, { loaders }) => (await loaders.merchantById.load(service.merchantId))!,
  },
};
