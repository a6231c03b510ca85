import DataLoader from 'dataloader';
import { raw } from '@mikro-orm/core';
import type { SubgraphContext } from '../kit/server.ts';
import { byKey, groupBy, groupedBy } from '../kit/loaders.ts';
import type { EntityManager } from '../kit/orm.ts';
import { findRows } from '../kit/rows.ts';
import { figuresSince } from '../kit/figures.ts';
import { Membership, MembershipProgram, MemberRight, PointsAccount, PointsTransaction } from './entities.ts';

export function createLoaders(em: EntityManager) {
  const now = new Date();
  return {
    now,
    /** Each merchant's memberships joined in the longest window of figures. */
    newMembersByMerchant: groupedBy(
      (ids: string[]) => findRows(em, Membership, { merchantId: { $in: ids }, joinedAt: { $gte: figuresSince(now) } }),
      (m) => m.merchantId,
    ),
    accountByUser: byKey((ids: string[]) => em.find(PointsAccount, { userId: { $in: ids } }), (a) => a.userId),
    ledgerByUser: groupedBy(
      (ids: string[]) => em.find(PointsTransaction, { userId: { $in: ids } }, { orderBy: { userId: 'asc', id: 'desc' } }),
      (t) => t.userId,
    ),
    membershipsByUser: groupedBy(
      (ids: string[]) => em.find(Membership, { userId: { $in: ids } }, { orderBy: { userId: 'asc', joinedAt: 'asc', merchantId: 'asc' } }),
      (m) => m.userId,
    ),
    /** Points each user earned at each merchant (for membership tiers). */
    earnedByUser: new DataLoader<string, Map<string, number>>(async (ids) => {
      const rows: { userId: string; merchantId: string; earned: number }[] = await em
        .createQueryBuilder(PointsTransaction)
        .select(['userId', 'merchantId', raw('sum(amount) as earned')])
        .where({ userId: { $in: [...ids] }, amount: { $gt: 0 }, merchantId: { $ne: null } })
        .groupBy(['userId', 'merchantId'])
        .execute('all');
      const byUser = groupBy(rows, (r) => r.userId);
      return ids.map((id) => new Map((byUser.get(id) ?? []).map((r) => [r.merchantId, Number(r.earned)])));
    }),
    programByMerchant: byKey((ids: string[]) => em.find(MembershipProgram, { merchantId: { $in: ids } }), (p) => p.merchantId),
    memberCountByMerchant: new DataLoader<string, number>(async (ids) => {
      const rows: { merchantId: string; members: number }[] = await em
        .createQueryBuilder(Membership)
        .select(['merchantId', raw('count(*) as members')])
        .where({ merchantId: { $in: [...ids] } })
        .groupBy('merchantId')
        .execute('all');
      const counts = new Map(rows.map((r) => [r.merchantId, Number(r.members)]));
      return ids.map((id) => counts.get(id) ?? 0);
    }),
    /** The ledger entry crediting an order's payment, by order id. */
    creditOfOrder: new DataLoader<string, PointsTransaction | null>(async (orderIds) => {
      const rows = await em.find(PointsTransaction, { reference: { $in: orderIds.map((id) => `order:${id}`) } });
      const byRef = new Map(rows.map((r) => [r.reference, r]));
      return orderIds.map((id) => byRef.get(`order:${id}`) ?? null);
    }),
    rightById: byKey((ids: string[]) => em.find(MemberRight, { id: { $in: ids } }), (r) => r.id),
    rightsByMerchant: groupedBy(
      (ids: string[]) => em.find(MemberRight, { merchantId: { $in: ids } }, { orderBy: { merchantId: 'asc', cost: 'asc', id: 'asc' } }),
      (r) => r.merchantId!,
    ),
  };
}
export type MembershipLoaders = ReturnType<typeof createLoaders>;
export type Context = SubgraphContext<MembershipLoaders>;
