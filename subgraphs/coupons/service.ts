import { ErrorCode, plazaError } from '../kit/errors.ts';
import type { CouponTemplate } from './entities.ts';

/** Largest page of offers one field may ask for. */
export const MAX_OFFERS_PAGE = 50;

/** Channels listed among a merchant's offers; payment-success offers appear only after paying. */
export const LISTED_CHANNELS = ['PUBLIC', 'MEMBERS_ONLY'];

export function checkPageSize(first: number): number {
  if (!Number.isInteger(first) || first < 1 || first > MAX_OFFERS_PAGE) {
    throw plazaError(ErrorCode.BAD_USER_INPUT, `first must be between 1 and ${MAX_OFFERS_PAGE}`, {
      extensions: { argumentName: 'first' },
    });
  }
  return first;
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
