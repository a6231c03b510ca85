import { raw } from '@mikro-orm/core';
import { badUserInput } from '../../platform/errors.ts';
import type { EntityManager } from '../kit/orm.ts';
import { checkReference } from '../kit/viewer.ts';
import { PointsAccount, PointsTransaction } from './entities.ts';
import { ensureAccount, type PointsPosted } from './service.ts';

/**
 * Points for confirmed payments, credited and reversed at the coupons service's request
 * (it owns orders and hears from the payment provider). Each order is credited at most
 * once and reversed at most once: the ledger's unique (user, reference) holds it, with
 * references `order:<id>` and `refund:<id>`.
 */

/** The earning rule: one point per whole yuan paid (amounts are in fen). */
export function pointsForPayment(amountPaidFen: number): number {
  return Math.floor(amountPaidFen / 100);
}

const creditRef = (orderId: string) => `order:${orderId}`;
const refundRef = (orderId: string) => `refund:${orderId}`;

/** Takes the account's row lock, so a credit and a reversal of one order never interleave. */
async function lockAccount(tx: EntityManager, userId: string): Promise<PointsAccount> {
  await ensureAccount(tx, userId);
  await tx.nativeUpdate(PointsAccount, { userId }, { balance: raw('balance') });
  return tx.findOneOrFail(PointsAccount, { userId }, { disableIdentityMap: true });
}

async function ledgerEntries(tx: EntityManager, userId: string, orderId: string): Promise<Map<string, PointsTransaction>> {
  const rows = await tx.find(PointsTransaction, { userId, reference: { $in: [creditRef(orderId), refundRef(orderId)] } }, { disableIdentityMap: true });
  return new Map(rows.map((row) => [row.reference, row]));
}

function entry(userId: string, amount: number, reason: string, reference: string, merchantId: string | null) {
  return { userId, amount, reason, reference, merchantId, createdAt: new Date() } as PointsTransaction;
}

/**
 * Credits an order's points; returns the points it earned (also on a repeat, which
 * writes nothing). Points a refund could not take back earlier (`debt`) are repaid
 * first, in a ledger entry of their own. An order already reversed earns nothing.
 */
export async function creditOrderPoints(
  em: EntityManager,
  input: { orderId: string; userId: string; merchantId: string; amountPaid: number },
  options: PostingOptions = {},
): Promise<number> {
  checkReference('orderId', input.orderId);
  if (!Number.isSafeInteger(input.amountPaid) || input.amountPaid <= 0) badUserInput('amountPaid', 'amountPaid must be a positive number of fen');
  const points = pointsForPayment(input.amountPaid);
  const written: PointsPosted[] = [];
  const earned = await em.transactional(async (tx) => {
    const account = await lockAccount(tx, input.userId);
    const known = await ledgerEntries(tx, input.userId, input.orderId);
    if (known.has(creditRef(input.orderId))) return known.get(creditRef(input.orderId))!.amount;
    if (known.has(refundRef(input.orderId))) return 0;
    const repaid = Math.min(account.debt, points);
    await tx.insert(PointsTransaction, entry(input.userId, points, 'PAYMENT', creditRef(input.orderId), input.merchantId));
    written.push({ userId: input.userId, reference: creditRef(input.orderId), reason: 'PAYMENT' });
    if (repaid > 0) await tx.insert(PointsTransaction, entry(input.userId, -repaid, 'DEBT_REPAID', `debt:${input.orderId}`, null));
    await tx.nativeUpdate(
      PointsAccount,
      { userId: input.userId },
      { balance: raw('balance + ?', [points - repaid]), lifetimePoints: raw('lifetime_points + ?', [points]), debt: raw('debt - ?', [repaid]) },
    );
    return points;
  });
  // committed: a repeat wrote nothing and tells nobody
  for (const posted of written) options.posted?.(posted);
  return earned;
}

export interface PostingOptions {
  /** Told of the ledger entry a credit or a reversal wrote, once its transaction committed. Optional. */
  posted?: (entry: PointsPosted) => void;
}

/**
 * Takes back what a refunded order earned; returns the points taken. The balance never
 * goes below zero: what was already spent is recorded as `debt`, which later earnings
 * repay before they reach the balance. Tiers follow lifetime points, which lose the
 * whole credit. A reversal that arrives before its credit leaves a zero entry, so the
 * credit that comes later earns nothing.
 */
export async function reverseOrderPoints(em: EntityManager, input: { orderId: string; userId: string }, options: PostingOptions = {}): Promise<number> {
  checkReference('orderId', input.orderId);
  const written: PointsPosted[] = [];
  const taken = await em.transactional(async (tx) => {
    const account = await lockAccount(tx, input.userId);
    const known = await ledgerEntries(tx, input.userId, input.orderId);
    const reversed = known.get(refundRef(input.orderId));
    if (reversed) return -reversed.amount;
    const earned = known.get(creditRef(input.orderId))?.amount ?? 0;
    const taken = Math.min(earned, account.balance);
    await tx.insert(PointsTransaction, entry(input.userId, -taken, 'REFUND', refundRef(input.orderId), known.get(creditRef(input.orderId))?.merchantId ?? null));
    written.push({ userId: input.userId, reference: refundRef(input.orderId), reason: 'REFUND' });
    await tx.nativeUpdate(
      PointsAccount,
      { userId: input.userId },
      {
        balance: raw('balance - ?', [taken]),
        lifetimePoints: raw('lifetime_points - ?', [Math.min(earned, account.lifetimePoints)]),
        debt: raw('debt + ?', [earned - taken]),
      },
    );
    return taken;
  });
  for (const posted of written) options.posted?.(posted);
  return taken;
}
