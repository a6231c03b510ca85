import { describe, expect, it } from 'vitest';
import { seedClaim, seededClaimsOf, seedOffers, WORLD_SIZES, type WorldSize } from '../subgraphs/kit/world.ts';

describe('the seed world', () => {
  // the large world's shape, scaled down so the whole of it can be checked here
  const size: WorldSize = { users: 1000, merchants: 100, servicesPerMerchant: 3, offersPerMerchant: 10, claimedCoupons: 1000 };

  it('gives every seeded claim a real offer, an owner, and a code of its own, and never claims an offer twice for one user', () => {
    const claims = Array.from({ length: size.claimedCoupons }, (_, k) => seedClaim(k, size));
    const offers = new Set(Array.from({ length: size.merchants }, (_, i) => seedOffers(i, size).map((o) => o.id)).flat());
    expect(claims.every((c) => offers.has(c.templateId))).toBe(true);
    expect(new Set(claims.map((c) => c.code)).size).toBe(claims.length);
    expect(new Set(claims.map((c) => `${c.ownerId}/${c.templateId}`)).size).toBe(claims.length);
    expect(new Set(claims.map((c) => c.ownerId)).size).toBe(size.users);
  });

  it("keeps every offer's stock equal to its total minus its seeded claims, never below zero", () => {
    let claimed = 0;
    for (let i = 0; i < size.merchants; i++) {
      seedOffers(i, size).forEach((offer, k) => {
        const taken = seededClaimsOf(i * size.offersPerMerchant + k, size);
        expect(offer.totalStock - taken).toBeGreaterThanOrEqual(0);
        claimed += taken;
      });
    }
    expect(claimed).toBe(size.claimedCoupons);
  });

  it('has the volumes of a realistic large world', () => {
    const large = WORLD_SIZES.large;
    expect(large.users).toBeGreaterThanOrEqual(1_000_000);
    expect(large.merchants).toBeGreaterThanOrEqual(100_000);
    expect(large.merchants * large.servicesPerMerchant).toBeGreaterThanOrEqual(300_000);
    expect(large.merchants * large.offersPerMerchant).toBeGreaterThanOrEqual(1_000_000);
    expect(large.claimedCoupons).toBeGreaterThanOrEqual(1_000_000);
  });
});
