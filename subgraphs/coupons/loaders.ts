import type { SubgraphContext } from '../kit/server.ts';
import { byKey, groupedBy } from '../kit/loaders.ts';
import type { EntityManager } from '../kit/orm.ts';
import { findRows } from '../kit/rows.ts';
import { Coupon, CouponTemplate, Order } from './entities.ts';
import { LISTED_CHANNELS, openAt } from './service.ts';

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
    templateById: byKey((ids: string[]) => findRows(em, CouponTemplate, { id: { $in: ids } }), (t) => t.id),
    couponById: byKey((ids: string[]) => em.find(Coupon, { id: { $in: ids } }), (c) => c.id),
    orderById: byKey((ids: string[]) => em.find(Order, { id: { $in: ids } }), (o) => o.id),
    couponsByOrder: groupedBy(
      (orderIds: string[]) => em.find(Coupon, { orderId: { $in: orderIds } }, { orderBy: { orderId: 'asc', appliedAt: 'asc', id: 'asc' } }),
      (c) => c.orderId!,
    ),
    openOffersByMerchant: groupedBy(openOffers(LISTED_CHANNELS), (t) => t.merchantId),
    repurchaseOffersByMerchant: groupedBy(openOffers(['PAYMENT_SUCCESS']), (t) => t.merchantId),
    couponsByOwner: groupedBy(
      (ownerIds: string[]) => em.find(Coupon, { ownerId: { $in: ownerIds } }, { orderBy: { ownerId: 'asc', claimedAt: 'desc', id: 'asc' } }),
      (c) => c.ownerId,
    ),
  };
}
export type CouponsLoaders = ReturnType<typeof createLoaders>;
export type Context = SubgraphContext<CouponsLoaders>;
