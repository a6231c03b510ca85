import type { SubgraphContext } from '../kit/server.ts';
import { byKey, groupedBy } from '../kit/loaders.ts';
import type { EntityManager } from '../kit/orm.ts';
import { findRows } from '../kit/rows.ts';
import { Merchant, MerchantService, MiniProgram, Store } from './entities.ts';

/** Every loader here only reads: rows come back as plain objects (see kit/rows.ts). */
export function createLoaders(em: EntityManager) {
  return {
    merchantById: byKey((ids: string[]) => findRows(em, Merchant, { id: { $in: ids } }), (m) => m.id),
    serviceById: byKey((ids: string[]) => findRows(em, MerchantService, { id: { $in: ids } }), (s) => s.id),
    servicesByMerchant: groupedBy(
      (ids: string[]) => findRows(em, MerchantService, { merchantId: { $in: ids } }, { orderBy: { merchantId: 'asc', position: 'asc' } }),
      (s) => s.merchantId,
    ),
    storesByMerchant: groupedBy(
      (ids: string[]) => findRows(em, Store, { merchantId: { $in: ids } }, { orderBy: { merchantId: 'asc', id: 'asc' } }),
      (s) => s.merchantId,
    ),
    miniProgramByAppId: byKey((ids: string[]) => findRows(em, MiniProgram, { appId: { $in: ids } }), (mp) => mp.appId),
    miniProgramByMerchant: byKey((ids: string[]) => findRows(em, MiniProgram, { merchantId: { $in: ids } }), (mp) => mp.merchantId),
  };
}
export type MerchantsLoaders = ReturnType<typeof createLoaders>;
export type Context = SubgraphContext<MerchantsLoaders>;
