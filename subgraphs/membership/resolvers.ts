import { signMembershipPass } from '../kit/membership-pass.ts';
import { assertOwner, requireUserId } from '../kit/viewer.ts';
import { dailyCounts, dayOf, requireMerchant } from '../kit/figures.ts';
import { MemberRight, PointsTransaction } from './entities.ts';
import type { Resolvers } from './generated/resolvers-types.ts';
import type { Context } from './loaders.ts';
import type { EntityManager } from '../kit/orm.ts';
import { requireService } from '../kit/peers.ts';
import { boundRows } from '../kit/rows.ts';
import { creditOrderPoints, reverseOrderPoints } from './payments.ts';
import { exchangePoints, joinMembership, tierFor, type PointsPosted } from './service.ts';
import { TOPICS, type SubgraphEvents } from '../kit/events.ts';
import type { BrokerMessage } from '../../platform/broker.ts';
import { ErrorCode, plazaError } from '../../platform/errors.ts';

/** Publishes a committed ledger entry to the subscriptions of its user. */
const publishPosted = (events: SubgraphEvents) => (posted: PointsPosted) => events.publish(TOPICS.pointsChanged(posted.userId), { ...posted });

type PointsEvent = PointsPosted & { at: number };

/** A points event of `userId` from a broker message, or null when it is not one (or another user's). */
function pointsEventOf(message: BrokerMessage, userId: string): PointsEvent | null {
  const { userId: owner, reference, reason, at } = message;
  if (owner !== userId || typeof reference !== 'string' || typeof reason !== 'string') return null;
  return { userId: owner, reference, reason, at };
}

const POINTS_EVENT_SQL = `select t.id, t.user_id, t.amount, t.reason, t.reference, t.merchant_id, t.created_at, a.balance, a.lifetime_points
  from points_transactions t join points_accounts a on a.user_id = t.user_id
 where t.user_id = ? and t.reference = ?`;

/** An event's balance and ledger entry, read together (an event is read at every commit: one statement, not two queries of entities). */
async function readPointsEvent(em: EntityManager, event: PointsEvent): Promise<{ balance: number; lifetimePoints: number; transaction: PointsTransaction }> {
  const [row] = await boundRows(em, POINTS_EVENT_SQL, [event.userId, event.reference]);
  if (!row) throw new Error(`points event ${event.reference} of ${event.userId} names no ledger entry`);
  const { balance, lifetime_points: lifetimePoints, ...entry } = row;
  // columns to an entry as the ORM reads it (its types converted for the dialect), read-only: not merged into the identity map
  const transaction = em.getComparator().mapResult(PointsTransaction.meta.className, entry) as unknown as PointsTransaction;
  return { balance: Number(balance), lifetimePoints: Number(lifetimePoints), transaction };
}

const MAX_PAGE = 100;
const page = (first: number | null | undefined, fallback: number) => Math.max(1, Math.min(first ?? fallback, MAX_PAGE));

export const resolvers: Resolvers = {
  Query: {
    memberRights: (_, { first }, { em }) =>
      em.find(MemberRight, { remainingStock: { $gt: 0 } }, { orderBy: { cost: 'asc', id: 'asc' }, limit: page(first, 20) }),
  },
  Mutation: {
    creditOrderPoints: (_, args, { em, viewer, events }) => {
      requireService(viewer, 'coupons');
      return creditOrderPoints(em, args, { posted: publishPosted(events) });
    },
    reverseOrderPoints: (_, args, { em, viewer, events }) => {
      requireService(viewer, 'coupons');
      return reverseOrderPoints(em, args, { posted: publishPosted(events) });
    },
    exchangePoints: (_, args, { em, dialect, viewer, metrics, events }) =>
      exchangePoints(
        em,
        { userId: requireUserId(viewer), ...args },
        { dialect, lockHeld: (seconds) => metrics.rowLockHold.observe({ operation: 'exchangePoints' }, seconds), spent: publishPosted(events) },
      ),
    joinMembership: (_, { merchantId }, { em, viewer }) => joinMembership(em, requireUserId(viewer), merchantId),
  },
  Subscription: {
    pointsChanged: {
      subscribe: (_, __, { viewer, events }) => {
        const userId = requireUserId(viewer);
        return events.listen(TOPICS.pointsChanged(userId), { accept: (message) => pointsEventOf(message, userId) });
      },
      // each event runs with a fresh context (kit/subscriptions.ts): the balance and entry are read now
      resolve: async (event: PointsEvent, _args: unknown, { em, viewer, events }: Context) => {
        // a second look: no event reaches a viewer it does not belong to
        if (event.userId !== viewer.userId) throw plazaError(ErrorCode.FORBIDDEN, 'Points are visible to their owner only');
        // every subscription this event reaches reads the balance and the entry once, in one statement
        const read = await events.readOnce(`points:${event.userId}:${event.reference}:${event.at}`, () => readPointsEvent(em, event));
        return {
          user: { id: event.userId },
          balance: read.balance,
          tier: tierFor(read.lifetimePoints),
          transaction: read.transaction,
          committedAt: new Date(event.at).toISOString(),
        };
      },
    },
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
