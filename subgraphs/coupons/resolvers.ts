import { requireUserId, assertOwner } from '../kit/viewer.ts';
import type { Resolvers } from './generated/resolvers-types.ts';
import { checkPageSize, claimCoupon, pageOfOffers, redeemCoupon, statusOf } from './service.ts';

export const resolvers: Resolvers = {
  Query: {
    offer: (_, { id }, { loaders }) => loaders.templateById.load(id),
  },
  Mutation: {
    claimCoupon: (_, args, { em, viewer, internalSecret }) =>
      claimCoupon(em, { ownerId: requireUserId(viewer), ...args, internalSecret }),
    redeemCoupon: (_, args, { em, viewer }) => redeemCoupon(em, { ownerId: requireUserId(viewer), ...args }),
  },
  CouponTemplate: {
    __resolveReference: (ref, { loaders }) => loaders.templateById.load(ref.id),
    merchant: (template) => ({ id: template.merchantId }),
    startsAt: (template) => template.startsAt.toISOString(),
    endsAt: (template) => template.endsAt.toISOString(),
  },
  Coupon: {
    __resolveReference: async (ref, { loaders, viewer }) => {
      const coupon = await loaders.couponById.load(ref.id);
      if (coupon) assertOwner(viewer, coupon.ownerId, 'Coupons');
      return coupon;
    },
    template: async (coupon, _, { loaders }) => (await loaders.templateById.load(coupon.templateId))!,
    status: async (coupon, _, { loaders }) => statusOf(coupon, await loaders.templateById.load(coupon.templateId), new Date()) as never,
    claimedAt: (coupon) => coupon.claimedAt.toISOString(),
    redeemedAt: (coupon) => coupon.redeemedAt?.toISOString() ?? null,
  },
  Merchant: {
    offers: async (merchant, { first, after }, { loaders }) =>
      pageOfOffers(await loaders.openOffersByMerchant.load(merchant.id), first ?? 10, after),
    repurchaseOffers: async (merchant, { first }, { loaders }) =>
      (await loaders.repurchaseOffersByMerchant.load(merchant.id)).slice(0, checkPageSize(first ?? 3)),
  },
  User: {
    coupons: async (user, { status }, { loaders, viewer }) => {
      assertOwner(viewer, user.id, 'Coupons');
      const coupons = await loaders.couponsByOwner.load(user.id);
      if (!status) return coupons;
      const now = new Date();
      const templates = await loaders.templateById.loadMany([...new Set(coupons.map((c) => c.templateId))]);
      const byId = new Map(templates.flatMap((t) => (t && !(t instanceof Error) ? [[t.id, t] as const] : [])));
      return coupons.filter((c) => statusOf(c, byId.get(c.templateId) ?? null, now) === status);
    },
  },
  Homepage: {
    __resolveReference: (ref) => ({ city: ref.city }),
    affinityFromCoupons: async (_, __, { loaders, viewer }) => {
      if (!viewer.userId) return [];
      const coupons = await loaders.couponsByOwner.load(viewer.userId);
      return [...new Set(coupons.map((c) => c.merchantId))].map((id) => ({ id }));
    },
  },
};
