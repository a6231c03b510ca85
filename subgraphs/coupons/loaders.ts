import type { SubgraphContext } from '../kit/server.ts';
import { byKey, groupedBy } from '../kit/loaders.ts';
import type { EntityManager } from '../kit/orm.ts';
import { CouponTemplate } from './entities.ts';
import { LISTED_CHANNELS } from './service.ts';

export function createLoaders(em: EntityManager) {
  const now = new Date();
  return {
    templateById: byKey((ids: string[]) => em.find(CouponTemplate, { id: { $in: ids } }), (t) => t.id),
    openOffersByMerchant: groupedBy(
      (merchantIds: string[]) =>
        em.find(
          CouponTemplate,
          {
            merchantId: { $in: merchantIds },
            status: 'ACTIVE',
            channel: { $in: LISTED_CHANNELS },
            startsAt: { $lte: now },
            endsAt: { $gt: now },
          },
          { orderBy: { merchantId: 'asc', id: 'asc' } },
        ),
      (t) => t.merchantId,
    ),
  };
}
export type CouponsLoaders = ReturnType<typeof createLoaders>;
export type Context = SubgraphContext<CouponsLoaders>;
