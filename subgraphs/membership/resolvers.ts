import { signMembershipPass } from '../kit/membership-pass.ts';
import { assertOwner, requireUserId } from '../kit/viewer.ts';
import { dailyCounts, dayOf, requireMerchant } from '../kit/figures.ts';
import { MemberRight } from './entities.ts';
import type { Resolvers } from './generated/resolvers-types.ts';
import { requireService } from '../kit/peers.ts';
import { creditOrderPoints, reverseOrderPoints } from './payments.ts';
import { exchangePoints, joinMembership, tierFor } from './service.ts';

const MAX_PAGE = 100;
const page = (first: number | null | undefined, fallback: number) => Math.max(1, Math.min(first ?? fallback, MAX_PAGE));

export const resolvers: Resolvers = {
  Query: {
    memberRights: (_, { first }, { em }) =>
      em.find(MemberRight, { remainingStock: { $gt: 0 } }, { orderBy: { cost: 'asc', id: 'asc' }, limit: page(first, 20) }),
  },
  Mutation: {
    creditOrderPoints: (_, args, { em, viewer }) => {
      requireService(viewer, 'coupons');
      return creditOrderPoints(em, args);
    },
    reverseOrderPoints: (_, args, { em, viewer }) => {
      requireService(viewer, 'coupons');
      return reverseOrderPoints(em, args);
    },
    exchangePoints: (_, args, { em, dialect, viewer, metrics }) =>
      exchangePoints(em, { userId: requireUserId(viewer), ...args }, { dialect, lockHeld: (seconds) => metrics.rowLockHold.observe({ operation: 'exchangePoints' }, seconds) }),
    joinMembership: (_, { merchantId }, { em, viewer }) => joinMembership(em, requireUserId(viewer), merchantId),
  },
  User: {
    points: (user, _, { viewer, loaders }) => {
      assertOwner(viewer, user.id, 'Points');
      return loaders.accountByUser.load(user.id);
    },
    memberships: (user, _, { viewer, loaders }) => {
      assertOwner(viewer, user.id, 'Memberships');
      return loaders.membershipsByUser.load(user.id);
    },
  },
  PointsAccount: {
    tier: (account) => tierFor(account.lifetimePoints),
    transactions: async (account, { first }, { loaders }) => (await loaders.ledgerByUser.load(account.userId)).slice(0, page(first, 20)),
  },
  PointsTransaction: {
    id: (t) => String(t.id),
    createdAt: (t) => t.createdAt.toISOString(),
  },
  Membership: {
    merchant: (m) => ({ id: m.merchantId }),
    joinedAt: (m) => m.joinedAt.toISOString(),
    tier: async (m, _, { loaders }) => tierFor((await loaders.earnedByUser.load(m.userId)).get(m.merchantId) ?? 0),
    pass: (m, _, { internalSecret }) => signMembershipPass(m.userId, m.merchantId, internalSecret),
  },
  MemberRight: {
    __resolveReference: (ref, { loaders }) => loaders.rightById.load(ref.id),
    merchant: (right) => (right.merchantId ? { id: right.merchantId } : null),
  },
  Merchant: {
    membershipProgram: async (merchant, _, { loaders }) =>
      (await loaders.programByMerchant.load(merchant.id)) ? { merchantId: merchant.id } : null,
    newMembersByDay: async (merchant, { days }, { viewer, loaders }) => {
      requireMerchant(viewer, merchant.id, "A merchant's figures");
      const joined = await loaders.newMembersByMerchant.load(merchant.id);
      return dailyCounts(joined.map((m) => [dayOf(m.joinedAt), 1]), days ?? 14, loaders.now);
    },
  },
  MembershipProgram: {
    memberCount: (program, _, { loaders }) => loaders.memberCountByMerchant.load(program.merchantId),
    rights: async (program, _, { loaders }) => loaders.rightsByMerchant.load(program.merchantId),
  },
  Order: {
    __resolveReference: (ref) => ({ id: ref.id }),
    pointsEarned: async (order, _, { loaders, viewer }) => {
      if (!viewer.userId) return null;
      const credit = await loaders.creditOfOrder.load(order.id);
      // another user's order earned nothing anyone else may see
      return credit && credit.userId === viewer.userId ? credit.amount : null;
    },
  },
  Exchange: {
    right: async (exchange, _, { loaders }) => (await loaders.rightById.load(exchange.rightId))!,
    points: async (exchange, _, { loaders }) => (await loaders.accountByUser.load(exchange.userId))!,
  },
  Homepage: {
    __resolveReference: (ref) => ({ city: ref.city }),
    affinityFromMemberships: async (_, __, { loaders, viewer }) => {
      if (!viewer.userId) return [];
      return (await loaders.membershipsByUser.load(viewer.userId)).map((m) => ({ id: m.merchantId }));
    },
  },
};
