import type { SeedScale } from '../kit/config.ts';
import type { EntityManager } from '../kit/orm.ts';
import { seedPlacement, WORLD_SIZES } from '../kit/world.ts';
import { Placement } from './entities.ts';

const BATCH = 2000;

export async function seedPlacements(em: EntityManager, scale: SeedScale): Promise<void> {
  const size = WORLD_SIZES[scale];
  for (let start = 0; start < size.merchants; start += BATCH) {
    const indexes = Array.from({ length: Math.min(BATCH, size.merchants - start) }, (_, k) => start + k);
    await em.insertMany(Placement, indexes.map((i) => ({ ...seedPlacement(i, size), offerId: null, status: 'APPROVED' })));
  }
}
