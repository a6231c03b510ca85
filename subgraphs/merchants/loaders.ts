import type { SubgraphContext } from '../kit/server.ts';
import { byKey, rowsGroupedBy } from '../kit/loaders.ts';
import type { EntityManager } from '../kit/orm.ts';
import { findRows } from '../kit/rows.ts';
import { Merchant, MerchantService, MiniProgram, Store } from './entities.ts';

/** Every loader here only reads: rows come back as plain objects (see kit/rows.ts). */
export function createLoaders(em: EntityManager) {
  return {
    merchantById: byKey((ids: string[]) => findRows(em, Merchant, { id: { $in: ids } }), (m) => m.id),
    serviceById: byKey((ids: string[]) => findRows(em, MerchantService, { id: { $in: ids } }), (s) => s.id),
    servicesByMerchant: rowsGroupedBy(em, MerchantService, 'merchantId', { merchantId: 'asc', position: 'asc' }),
    storesByMerchant: rowsGroupedBy(em, Store, 'merchantId', { merchantId: 'asc', id: 'asc' }),
    miniProgramByAppId: byKey((ids: string[]) => findRows(em, MiniProgram, { appId: { $in: ids } }), (mp) => mp.appId),
    miniProgramByMerchant: byKey((ids: string[]) => findRows(em, MiniProgram, { merchantId: { $in: ids } }), (mp) => mp.merchantId),
  };
}
export type MerchantsLoaders = ReturnType<typeof createLoaders>;
export type Context = SubgraphContext<MerchantsLoaders>;
