import type { SeedScale } from '../../platform/config.ts';
import type { EntityManager } from '../kit/orm.ts';
import { seedClaim, seededClaimsOf, seedOffers, WORLD_SIZES } from '../kit/world.ts';
import { Coupon, CouponTemplate } from './entities.ts';

const BATCH = 1000;

export async function seedCoupons(em: EntityManager, scale: SeedScale): Promise<void> {
  const size = WORLD_SIZES[scale];
  for (let start = 0; start < size.merchants; start += BATCH) {
    const indexes = Array.from({ length: Math.min(BATCH, size.merchants - start) }, (_, k) => start + k);
    const rows = indexes.flatMap((i) =>
      seedOffers(i, size).map((offer, k) => ({
        ...offer,
        // stock already taken by the seeded claims of this offer
        remainingStock: offer.totalStock - seededClaimsOf(i * size.offersPerMerchant + k, size),
        status: 'ACTIVE',
      })),
    );
    await em.insertMany(CouponTemplate, rows);
  }
  for (let start = 0; start < size.claimedCoupons; start += BATCH * 5) {
    const claims = Array.from({ length: Math.min(BATCH * 5, size.claimedCoupons - start) }, (_, k) => seedClaim(start + k, size));
    await em.insertMany(
      Coupon,
      claims.map((claim) => ({ ...claim, slot: 1, status: 'CLAIMED', redeemedAt: null, orderId: null, appliedAt: null })),
    );
  }
}
