import type { EntityManager } from '../kit/orm.ts';
import { seedUser, WORLD_SIZES } from '../kit/world.ts';
import type { SeedScale } from '../../platform/config.ts';
import { User } from './entities.ts';

const BATCH = 5000;

export async function seedUsers(em: EntityManager, scale: SeedScale): Promise<void> {
  const { users } = WORLD_SIZES[scale];
  for (let start = 0; start < users; start += BATCH) {
    const rows = Array.from({ length: Math.min(BATCH, users - start) }, (_, k) => seedUser(start + k));
    await em.insertMany(User, rows);
  }
}
