import type { SeedScale } from '../kit/config.ts';
import type { EntityManager } from '../kit/orm.ts';
import { seedOffers, WORLD_SIZES } from '../kit/world.ts';
import { CouponTemplate } from './entities.ts';

const BATCH = 1000;

export async function seedCoupons(em: EntityManager, scale: SeedScale): Promise<void> {
  const size = WORLD_SIZES[scale];
  for (let start = 0; start < size.merchants; start += BATCH) {
    const indexes = Array.from({ length: Math.min(BATCH, size.merchants - start) }, (_, k) => start + k);
    const rows = indexes.flatMap((i) => seedOffers(i, size)).map((offer) => ({ ...offer, remainingStock: offer.totalStock, status: 'ACTIVE' }));
    await em.insertMany(CouponTemplate, rows);
  }
}
