import type { Resolvers } from './generated/resolvers-types.ts';
import { categoryCounts, connectionOf, encodeCursor, isPlausibleId, matchingServices, matchOf, searchMerchants } from './service.ts';

export const resolvers: Resolvers = {
  Query: {
    merchant: (_, { id }, { loaders }) => (isPlausibleId(id) ? loaders.merchantById.load(id) : null),
    search: async (_, args, { em, dialect }) =>
      connectionOf(
        await searchMerchants(em, dialect, {
          query: args.query,
          city: args.city,
          first: args.first ?? 10,
          after: args.after,
        }),
      ),
    merchantCategories: (_, __, { em }) => categoryCounts(em),
  },
  MerchantSearchEdge: {
    cursor: (edge) => encodeCursor(edge.hit),
    node: async (edge, _, { loaders }) => (await loaders.merchantById.load(edge.hit.id))!,
    match: (edge) => matchOf(edge.hit),
    services: async (edge, _, { loaders }) => matchingServices(await loaders.servicesByMerchant.load(edge.hit.id), edge.terms),
  },
  Merchant: {
    __resolveReference: (ref, { loaders }) => loaders.merchantById.load(ref.id),
    miniProgram: (merchant, _, { loaders }) => loaders.miniProgramByMerchant.load(merchant.id),
    services: (merchant, _, { loaders }) => loaders.servicesByMerchant.load(merchant.id),
    stores: (merchant, _, { loaders }) => loaders.storesByMerchant.load(merchant.id),
  },
  Store: {
    merchant: async (store, _, { loaders }) => (await loaders.merchantById.load(store.merchantId))!,
  },
  MiniProgram: {
    __resolveReference: (ref, { loaders }) => loaders.miniProgramByAppId.load(ref.appId),
    merchant: async (mp, _, { loaders }) => (await loaders.merchantById.load(mp.merchantId))!,
    services: (mp, _, { loaders }) => loaders.servicesByMerchant.load(mp.merchantId),
  },
  MerchantService: {
    __resolveReference: (ref, { loaders }) => loaders.serviceById.load(ref.id),
    merchant: async (service, _, { loaders }) => (await loaders.merchantById.load(service.merchantId))!,
    miniProgram: (service, _, { loaders }) => loaders.miniProgramByMerchant.load(service.merchantId),
  },
};
