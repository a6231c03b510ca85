import { raw } from '@mikro-orm/core';
import { ErrorCode, plazaError } from '../kit/errors.ts';
import type { EntityManager } from '../kit/orm.ts';
import { newId, newTenDigitCode } from '../kit/ids.ts';
import { checkIdempotencyKey, checkReference } from '../kit/viewer.ts';
import { Exchange, Membership, MembershipProgram, MemberRight, PointsAccount, PointsTransaction } from './entities.ts';

export type Tier = 'BRONZE' | 'SILVER' | 'GOLD' | 'PLATINUM';

/** Lifetime points needed for each tier, highest first. */
export const TIER_THRESHOLDS: [Tier, number][] = [
  ['PLATINUM', 20_000],
  ['GOLD', 5_000],
  ['SILVER', 1_000],
  ['BRONZE', 0],
];

export function tierFor(lifetimePoints: number): Tier {
  return TIER_THRESHOLDS.find(([, min]) => lifetimePoints >= min)![0];
}

async function requireProgram(em: EntityManager, merchantId: string): Promise<void> {
  checkReference('merchantId', merchantId);
  if (!(await em.findOne(MembershipProgram, { merchantId }, { disableIdentityMap: true }))) {
    throw plazaError(ErrorCode.NOT_FOUND, `Merchant ${merchantId} has no membership program`);
  }
}

/** Creates the user's account at zero when it does not exist yet (INSERT … ON CONFLICT DO NOTHING). */
export async function ensureAccount(tx: EntityManager, userId: string): Promise<void> {
  await tx.createQueryBuilder(PointsAccount).insert({ userId, balance: 0, lifetimePoints: 0 }).onConflict('userId').ignore().execute();
}

/** Appends to the ledger and moves the balance in the same transaction; never below zero. */
export async function post(tx: EntityManager, entry: { userId: string; amount: number; reason: string; reference: string; merchantId?: string | null }): Promise<boolean> {
  const moved = await tx.nativeUpdate(
    PointsAccount,
    entry.amount < 0 ? { userId: entry.userId, balance: { $gte: -entry.amount } } : { userId: entry.userId },
    entry.amount < 0
      ? { balance: raw('balance + ?', [entry.amount]) }
      : { balance: raw('balance + ?', [entry.amount]), lifetimePoints: raw('lifetime_points + ?', [entry.amount]) },
  );
  if (moved !== 1) return false;
  await tx.insert(PointsTransaction, {
    userId: entry.userId,
    amount: entry.amount,
    reason: entry.reason,
    reference: entry.reference,
    merchantId: entry.merchantId ?? null,
    createdAt: new Date(),
  } as PointsTransaction);
  return true;
}

export interface ExchangeInput {
  userId: string;
  rightId: string;
  idempotencyKey: string;
}

async function knownExchange(em: EntityManager, input: ExchangeInput): Promise<Exchange | null> {
  const exchange = await em.findOne(Exchange, { userId: input.userId, idempotencyKey: input.idempotencyKey }, { disableIdentityMap: true });
  if (exchange && exchange.rightId !== input.rightId) {
    throw plazaError(ErrorCode.IDEMPOTENCY_KEY_REUSED, 'This idempotencyKey was already used for another right');
  }
  return exchange;
}

export interface SpendOptions {
  /** Told how long the spending held its row locks, in seconds (the row-lock metric). Optional. */
  lockHeld?: (seconds: number) => void;
}

/**
 * Spends points on a member right. The right's stock and the balance are taken by
 * conditional UPDATEs in one transaction; either refusal rolls everything back.
 */
export async function exchangePoints(em: EntityManager, input: ExchangeInput, options: SpendOptions = {}): Promise<Exchange> {
  checkIdempotencyKey(input.idempotencyKey);
  checkReference('rightId', input.rightId);
  const retried = await knownExchange(em, input);
  if (retried) return retried;
  const right = await em.findOne(MemberRight, { id: input.rightId }, { disableIdentityMap: true });
  if (!right) throw plazaError(ErrorCode.RIGHT_NOT_FOUND, `No member right ${input.rightId}`);

  const id = newId('x');
  let lockedAt = 0;
  try {
    await em.transactional(async (tx) => {
      const inserted = await tx
        .createQueryBuilder(Exchange)
        .insert({
          id,
          userId: input.userId,
          idempotencyKey: input.idempotencyKey,
          rightId: right.id,
          pointsSpent: right.cost,
          voucherCode: newTenDigitCode(),
          createdAt: new Date(),
        })
        .onConflict(['userId', 'idempotencyKey'])
        .ignore()
        .execute('run');
      if (!inserted.affectedRows) return;
      const taken = await tx.nativeUpdate(MemberRight, { id: right.id, remainingStock: { $gt: 0 } }, { remainingStock: raw('remaining_stock - 1') });
      // the right's row is locked from here to the end of the transaction
      lockedAt = performance.now();
      if (taken !== 1) throw plazaError(ErrorCode.RIGHT_OUT_OF_STOCK, 'This right has run out');
      await ensureAccount(tx, input.userId);
      if (!(await post(tx, { userId: input.userId, amount: -right.cost, reason: 'EXCHANGE', reference: `exchange:${id}`, merchantId: right.merchantId }))) {
        throw plazaError(ErrorCode.INSUFFICIENT_POINTS, `This right costs ${right.cost} points`);
      }
    });
  } finally {
    if (lockedAt) options.lockHeld?.((performance.now() - lockedAt) / 1000);
  }
  return (await knownExchange(em, input))!;
}

/** Joins a merchant's program; joining again returns the existing membership. */
export async function joinMembership(em: EntityManager, userId: string, merchantId: string): Promise<Membership> {
  await requireProgram(em, merchantId);
  await em.createQueryBuilder(Membership).insert({ userId, merchantId, joinedAt: new Date() }).onConflict(['userId', 'merchantId']).ignore().execute();
  return em.findOneOrFail(Membership, { userId, merchantId }, { disableIdentityMap: true });
}
