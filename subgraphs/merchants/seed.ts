import type { SeedScale } from '../kit/config.ts';
import type { EntityManager } from '../kit/orm.ts';
import { seedMerchant, seedServices, WORLD_SIZES } from '../kit/world.ts';
import { Merchant, MerchantService } from './entities.ts';

const BATCH = 2000;

export async function seedMerchants(em: EntityManager, scale: SeedScale): Promise<void> {
  const size = WORLD_SIZES[scale];
  for (let start = 0; start < size.merchants; start += BATCH) {
    const indexes = Array.from({ length: Math.min(BATCH, size.merchants - start) }, (_, k) => start + k);
    await em.insertMany(Merchant, indexes.map((i) => seedMerchant(i)));
    await em.insertMany(MerchantService, indexes.flatMap((i) => seedServices(i, size)));
  }
}
