import type { SubgraphContext } from '../kit/server.ts';
import { byKey, groupedBy } from '../kit/loaders.ts';
import type { EntityManager } from '../kit/orm.ts';
import { findRows } from '../kit/rows.ts';
import { Coupon, CouponTemplate, Order } from './entities.ts';
import { LISTED_CHANNELS, openAt } from './service.ts';
import { figuresSince } from '../kit/figures.ts';

export function createLoaders(em: EntityManager) {
  const now = new Date();
  const openOffers = (channels: string[]) => (merchantIds: string[]) =>
    findRows(
      em,
      CouponTemplate,
      { merchantId: { $in: merchantIds }, channel: { $in: channels }, ...openAt(now) },
      { orderBy: { merchantId: 'asc', id: 'asc' } },
    );
  return {
    now,
    templateById: byKey((ids: string[]) => findRows(em, CouponTemplate, { id: { $in: ids } }), (t) => t.id),
    couponById: byKey((ids: string[]) => em.find(Coupon, { id: { $in: ids } }), (c) => c.id),
    orderById: byKey((ids: string[]) => em.find(Order, { id: { $in: ids } }), (o) => o.id),
    couponsByOrder: groupedBy(
      (orderIds: string[]) => em.find(Coupon, { orderId: { $in: orderIds } }, { orderBy: { orderId: 'asc', appliedAt: 'asc', id: 'asc' } }),
      (c) => c.orderId!,
    ),
    openOffersByMerchant: groupedBy(openOffers(LISTED_CHANNELS), (t) => t.merchantId),
    repurchaseOffersByMerchant: groupedBy(openOffers(['PAYMENT_SUCCESS']), (t) => t.merchantId),
    /** Each offer's coupons claimed in the longest window of figures. */
    claimsByTemplate: groupedBy(
      (ids: string[]) => findRows(em, Coupon, { templateId: { $in: ids }, claimedAt: { $gte: figuresSince(now) } }),
      (c) => c.templateId,
    ),
    /** Each offer's coupons redeemed in the longest window of figures. */
    redemptionsByTemplate: groupedBy(
      (ids: string[]) => findRows(em, Coupon, { templateId: { $in: ids }, status: 'REDEEMED', redeemedAt: { $gte: figuresSince(now) } }),
      (c) => c.templateId,
    ),
    /** Each merchant's orders paid in the longest window of figures that were its customer's second or later paid order there. */
    repurchasesByMerchant: groupedBy(async (merchantIds: string[]) => {
      const recent = await findRows(em, Order, { merchantId: { $in: merchantIds }, paidAt: { $gte: figuresSince(now) } });
      if (recent.length === 0) return [];
      const owners = [...new Set(recent.map((o) => o.ownerId))];
      const paid = await findRows(em, Order, { merchantId: { $in: merchantIds }, ownerId: { $in: owners }, paidAt: { $ne: null } });
      const first = new Map<string, number>();
      for (const order of paid) {
        const key = `${order.merchantId}\n${order.ownerId}`;
        first.set(key, Math.min(first.get(key) ?? Infinity, order.paidAt!.getTime()));
      }
      return recent.filter((o) => o.paidAt!.getTime() > first.get(`${o.merchantId}\n${o.ownerId}`)!);
    }, (o) => o.merchantId),
    couponsByOwner: groupedBy(
      (ownerIds: string[]) => em.find(Coupon, { ownerId: { $in: ownerIds } }, { orderBy: { ownerId: 'asc', claimedAt: 'desc', id: 'asc' } }),
      (c) => c.ownerId,
    ),
  };
}
export type CouponsLoaders = ReturnType<typeof createLoaders>;
export type Context = SubgraphContext<CouponsLoaders>;
