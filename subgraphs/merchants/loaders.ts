import type { SubgraphContext } from '../kit/server.ts';
import { byKey, groupedBy } from '../kit/loaders.ts';
import type { EntityManager } from '../kit/orm.ts';
import { Merchant, MerchantService, MiniProgram, Store } from './entities.ts';

export function createLoaders(em: EntityManager) {
  return {
    merchantById: byKey((ids: string[]) => em.find(Merchant, { id: { $in: ids } }), (m) => m.id),
    serviceById: byKey((ids: string[]) => em.find(MerchantService, { id: { $in: ids } }), (s) => s.id),
    servicesByMerchant: groupedBy(
      (ids: string[]) => em.find(MerchantService, { merchantId: { $in: ids } }, { orderBy: { merchantId: 'asc', position: 'asc' } }),
      (s) => s.merchantId,
    ),
    storesByMerchant: groupedBy(
      (ids: string[]) => em.find(Store, { merchantId: { $in: ids } }, { orderBy: { merchantId: 'asc', id: 'asc' } }),
      (s) => s.merchantId,
    ),
    miniProgramByAppId: byKey((ids: string[]) => em.find(MiniProgram, { appId: { $in: ids } }), (mp) => mp.appId),
    miniProgramByMerchant: byKey((ids: string[]) => em.find(MiniProgram, { merchantId: { $in: ids } }), (mp) => mp.merchantId),
  };
}
export type MerchantsLoaders = ReturnType<typeof createLoaders>;
export type Context = SubgraphContext<MerchantsLoaders>;
