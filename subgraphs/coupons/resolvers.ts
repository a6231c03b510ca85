import { ErrorCode, plazaError } from '../../platform/errors.ts';
import type { PaymentProviderConfig } from '../../platform/config.ts';
import { requireUserId, assertOwner } from '../kit/viewer.ts';
import { dailyCounts, dayOf, requireMerchant } from '../kit/figures.ts';
import type { Resolvers } from './generated/resolvers-types.ts';
import { applyCoupon, applyNotification, cancelOrder, openOrder, ownOrder, payOrder, removeCoupon, sandboxPay, statusOfOrder, type PaymentOptions } from './orders.ts';
import { checkPageSize, claimCoupon, pageOfOffers, statusOf, type ClaimOptions } from './service.ts';
import { checkReference } from '../kit/viewer.ts';
import { TOPICS, type SubgraphEvents } from '../kit/events.ts';
import type { Context } from './loaders.ts';

/** At most one offer-stock event a second per subscription. */
export const OFFER_STOCK_THROTTLE_MS = 1000;

/** Publishes a committed claim to the subscriptions of its offer's stock. */
const publishClaimed = (events: SubgraphEvents): ClaimOptions => ({
  claimed: (offer) => events.publish(TOPICS.offerStockChanged(offer.id), { offerId: offer.id, merchantId: offer.merchantId }),
});

/** Publishes a committed payment to the subscriptions of its order's owner. */
const publishPaid = (events: SubgraphEvents): PaymentOptions => ({
  paid: (order) => events.publish(TOPICS.paymentConfirmed(order.ownerId), { orderId: order.id, userId: order.ownerId, merchantId: order.merchantId }),
});

interface OfferStockEvent {
  offerId: string;
  at: number;
}

interface PaymentEvent {
  orderId: string;
  userId: string;
  at: number;
}

function providerOf(config: { paymentProvider?: PaymentProviderConfig }): PaymentProviderConfig {
  if (!config.paymentProvider) throw plazaError(ErrorCode.INTERNAL_SERVER_ERROR, 'No payment provider is configured');
  return config.paymentProvider;
}

export const resolvers: Resolvers = {
  Query: {
    offer: (_, { id }, { loaders }) => loaders.templateById.load(id),
    order: async (_, { id }, { loaders, viewer }) => {
      const order = await loaders.orderById.load(id);
      return order && order.ownerId === requireUserId(viewer) ? order : null;
    },
  },
  Mutation: {
    claimCoupon: (_, args, { em, viewer, internalSecret, events }) =>
      claimCoupon(em, { ownerId: requireUserId(viewer), ...args, internalSecret }, publishClaimed(events)),
    openOrder: (_, args, { em, viewer, peers }) => openOrder(em, peers, { ownerId: requireUserId(viewer), ...args }),
    applyCoupon: (_, { orderId, couponId }, { em, viewer }) => applyCoupon(em, requireUserId(viewer), orderId, couponId),
    removeCoupon: (_, { orderId, couponId }, { em, viewer }) => removeCoupon(em, requireUserId(viewer), orderId, couponId),
    cancelOrder: (_, { orderId }, { em, viewer }) => cancelOrder(em, requireUserId(viewer), orderId),
    payOrder: (_, { orderId }, { em, viewer, config }) => payOrder(em, requireUserId(viewer), orderId, providerOf(config)),
    sandboxPay: (_, { orderId }, { em, viewer, peers, config, events }) =>
      sandboxPay(em, peers, providerOf(config), requireUserId(viewer), orderId, publishPaid(events)),
    notifyPayment: (_, { payload, signature }, { em, peers, config, events }) =>
      applyNotification(em, peers, providerOf(config), payload, signature, publishPaid(events)),
  },
  Subscription: {
    offerStockChanged: {
      subscribe: async (_, { offerId }, { loaders, events }) => {
        checkReference('offerId', offerId);
        if (!(await loaders.templateById.load(offerId))) throw plazaError(ErrorCode.OFFER_NOT_FOUND, `No offer ${offerId}`);
        return events.listen<OfferStockEvent>(TOPICS.offerStockChanged(offerId), {
          accept: ({ offerId: offer, at }) => (offer === offerId ? { offerId, at } : null),
          throttleMs: OFFER_STOCK_THROTTLE_MS,
        });
      },
      // each event runs with a fresh context (kit/subscriptions.ts): the stock is read now, the latest value
      resolve: async (event: OfferStockEvent, _args: unknown, { loaders, events }: Context) => {
        // every watcher of the offer hears this event: the stock is read once for them
        const offer = await events.readOnce(`stock:${event.offerId}:${event.at}`, async () => (await loaders.templateById.load(event.offerId)) ?? false);
        if (!offer) throw plazaError(ErrorCode.OFFER_NOT_FOUND, `No offer ${event.offerId}`);
        return { offer, remainingStock: offer.remainingStock, committedAt: new Date(event.at).toISOString() };
      },
    },
    paymentConfirmed: {
      subscribe: async (_, { orderId }, { em, viewer, events }) => {
        const userId = requireUserId(viewer);
        // another user's order reads like a missing one
        if (orderId != null) await ownOrder(em, userId, orderId);
        return events.listen<PaymentEvent>(TOPICS.paymentConfirmed(userId), {
          accept: ({ orderId: order, userId: owner, at }) =>
            owner === userId && typeof order === 'string' && (orderId == null || order === orderId) ? { orderId: order, userId, at } : null,
        });
      },
      resolve: async (event: PaymentEvent, _args: unknown, { loaders, viewer }: Context) => {
        const order = await loaders.orderById.load(event.orderId);
        // a second look: no order reaches a viewer it does not belong to
        if (!order || order.ownerId !== viewer.userId) throw plazaError(ErrorCode.ORDER_NOT_FOUND, `No order ${event.orderId}`);
        return order;
      },
    },
  },
  Order: {
    __resolveReference: async (ref, { loaders, viewer }) => {
      const order = await loaders.orderById.load(ref.id);
      return order && order.ownerId === viewer.userId ? order : null;
    },
    merchant: (order) => ({ id: order.merchantId }),
    coupons: (order, _, { loaders }) => loaders.couponsByOrder.load(order.id),
    status: (order) => statusOfOrder(order, new Date()),
    createdAt: (order) => order.createdAt.toISOString(),
    expiresAt: (order) => order.expiresAt.toISOString(),
    paidAt: (order) => order.paidAt?.toISOString() ?? null,
  },
  PaymentRequest: {
    expiresAt: (request) => request.expiresAt.toISOString(),
  },
  CouponTemplate: {
    __resolveReference: (ref, { loaders }) => loaders.templateById.load(ref.id),
    merchant: (template) => ({ id: template.merchantId }),
    startsAt: (template) => template.startsAt.toISOString(),
    endsAt: (template) => template.endsAt.toISOString(),
    claimsByDay: async (template, { days }, { viewer, loaders }) => {
      requireMerchant(viewer, template.merchantId, "An offer's figures");
      const claims = await loaders.claimsByTemplate.load(template.id);
      return dailyCounts(claims.map((c) => [dayOf(c.claimedAt), 1]), days ?? 14, loaders.now);
    },
    redemptionsByDay: async (template, { days }, { viewer, loaders }) => {
      requireMerchant(viewer, template.merchantId, "An offer's figures");
      const redeemed = await loaders.redemptionsByTemplate.load(template.id);
      return dailyCounts(redeemed.map((c) => [dayOf(c.redeemedAt!), 1]), days ?? 14, loaders.now);
    },
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
    repurchasesByDay: async (merchant, { days }, { viewer, loaders }) => {
      requireMerchant(viewer, merchant.id, "A merchant's figures");
      const orders = await loaders.repurchasesByMerchant.load(merchant.id);
      return dailyCounts(orders.map((o) => [dayOf(o.paidAt!), 1]), days ?? 14, loaders.now);
    },
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
