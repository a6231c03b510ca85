import type { Resolvers } from './generated/resolvers-types.ts';
import { pageOfOffers } from './service.ts';

export const resolvers: Resolvers = {
  Query: {
    offer: (_, { id }, { loaders }) => loaders.templateById.load(id),
  },
  CouponTemplate: {
    __resolveReference: (ref, { loaders }) => loaders.templateById.load(ref.id),
    merchant: (template) => ({ id: template.merchantId }),
    startsAt: (template) => template.startsAt.toISOString(),
    endsAt: (template) => template.endsAt.toISOString(),
  },
  Merchant: {
    offers: async (merchant, { first, after }, { loaders }) =>
      pageOfOffers(await loaders.openOffersByMerchant.load(merchant.id), first ?? 10, after),
  },
};
