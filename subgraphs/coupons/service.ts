import { raw, UniqueConstraintViolationException } from '@mikro-orm/core';
import { ErrorCode, isRefusal, plazaError } from '../../platform/errors.ts';
import { isValidMembershipPass } from '../kit/membership-pass.ts';
import type { EntityManager } from '../kit/orm.ts';
import { newId, newTenDigitCode } from '../kit/ids.ts';
import { checkFirst, checkIdempotencyKey } from '../kit/viewer.ts';
import { Coupon, CouponTemplate } from './entities.ts';

/** Largest page of offers one field may ask for. */
export const MAX_OFFERS_PAGE = 50;

/** Channels listed among a merchant's offers; payment-success offers appear only after paying. */
export const LISTED_CHANNELS = ['PUBLIC', 'MEMBERS_ONLY'];

export function checkPageSize(first: number): number {
  return checkFirst(first, MAX_OFFERS_PAGE);
}

/** Offers open at `now` (active and inside their validity window), as a query filter; isOpen is the same test on a row. */
export function openAt(now: Date) {
  return { status: 'ACTIVE', startsAt: { $lte: now }, endsAt: { $gt: now } };
}

/** An offer can be claimed now: active and inside its validity window. */
export function isOpen(template: CouponTemplate, now: Date): boolean {
  return template.status === 'ACTIVE' && template.startsAt <= now && now < template.endsAt;
}

/** One page of a merchant's open offers, after the cursor (an offer id) when given. */
export function pageOfOffers(offers: CouponTemplate[], first: number, after: string | null | undefined): CouponTemplate[] {
  const start = after ? offers.findIndex((o) => o.id === after) + 1 : 0;
  return offers.slice(start, start + checkPageSize(first));
}

/** A claimed coupon whose offer has ended reads as EXPIRED. */
export function statusOf(coupon: Coupon, template: CouponTemplate | null, now: Date): string {
  if (coupon.status === 'CLAIMED' && template && now >= template.endsAt) return 'EXPIRED';
  return coupon.status;
}

async function existingClaim(em: EntityManager, ownerId: string, key: string, templateId: string): Promise<Coupon | null> {
  const coupon = await em.findOne(Coupon, { ownerId, idempotencyKey: key }, { disableIdentityMap: true });
  if (coupon && coupon.templateId !== templateId) {
    throw plazaError(ErrorCode.IDEMPOTENCY_KEY_REUSED, 'This idempotencyKey was already used for another offer');
  }
  return coupon;
}

export interface ClaimOptions {
  /** Told of the offer a claim took stock from, once its transaction committed (never for a retry or a refusal). Optional. */
  claimed?: (offer: Pick<CouponTemplate, 'id' | 'merchantId'>) => void;
}

export interface ClaimInput {
  ownerId: string;
  templateId: string;
  idempotencyKey: string;
  membershipPass?: string | null;
  internalSecret: string;
}

/**
 * Claims a coupon. Every invariant is held by the database: stock is taken with a
 * conditional UPDATE (never below zero), the per-user limit by a unique
 * (owner, template, slot) index, and idempotency by a unique (owner, key) index.
 * A refusal rolls the whole claim back.
 */
export async function claimCoupon(em: EntityManager, input: ClaimInput, options: ClaimOptions = {}): Promise<Coupon> {
  const key = checkIdempotencyKey(input.idempotencyKey);
  const retried = await existingClaim(em, input.ownerId, key, input.templateId);
  if (retried) return retried;

  const template = await em.findOne(CouponTemplate, { id: input.templateId }, { disableIdentityMap: true });
  if (!template) throw plazaError(ErrorCode.OFFER_NOT_FOUND, `No offer ${input.templateId}`);
  const now = new Date();
  if (!isOpen(template, now)) throw plazaError(ErrorCode.COUPON_NOT_ACTIVE, 'This offer is not open for claims now');
  if (
    template.channel === 'MEMBERS_ONLY' &&
    !(await isValidMembershipPass(input.membershipPass, input.ownerId, template.merchantId, input.internalSecret))
  ) {
    throw plazaError(ErrorCode.MEMBERSHIP_REQUIRED, "Join the merchant's membership to claim this offer");
  }

  try {
    let took = false;
    const claim = await em.transactional(async (tx) => {
      // a retry that raced us here finds the claim its twin just committed
      const twin = await existingClaim(tx, input.ownerId, key, input.templateId);
      if (twin) return twin;
      const held = await tx.count(Coupon, { ownerId: input.ownerId, templateId: template.id });
      if (held >= template.perUserLimit) {
        throw plazaError(ErrorCode.COUPON_LIMIT_REACHED, `At most ${template.perUserLimit} per user`);
      }
      const taken = await tx.nativeUpdate(
        CouponTemplate,
        { id: template.id, remainingStock: { $gt: 0 }, ...openAt(now) },
        { remainingStock: raw('remaining_stock - 1') },
      );
      if (taken !== 1) throw plazaError(ErrorCode.COUPON_OUT_OF_STOCK, 'This offer has run out');
      const coupon = tx.create(Coupon, {
        id: newId('c'),
        templateId: template.id,
        merchantId: template.merchantId,
        ownerId: input.ownerId,
        slot: held + 1,
        idempotencyKey: key,
        code: newTenDigitCode(),
        status: 'CLAIMED',
        claimedAt: now,
        redeemedAt: null,
        orderId: null,
        appliedAt: null,
      });
      await tx.flush();
      took = true;
      return coupon;
    });
    if (took) options.claimed?.(template);
    return claim;
  } catch (error) {
    const lostRace = error instanceof UniqueConstraintViolationException;
    if (!lostRace && !isRefusal(error, ErrorCode.COUPON_LIMIT_REACHED, ErrorCode.COUPON_OUT_OF_STOCK)) throw error;
    // A concurrent claim with the same key may have committed after this claim looked for
    // it (each statement reads afresh under READ COMMITTED): its coupon is this claim's
    // answer, whatever slot or stock it took. The rollback returned anything taken here.
    const winner = await existingClaim(em.fork(), input.ownerId, key, input.templateId);
    if (winner) return winner;
    if (lostRace) throw plazaError(ErrorCode.COUPON_LIMIT_REACHED, `At most ${template.perUserLimit} per user`);
    throw error;
  }
}
