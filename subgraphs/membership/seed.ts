import type { SeedScale } from '../kit/config.ts';
import type { EntityManager } from '../kit/orm.ts';
import { SEED_EPOCH, seedPoints, userId, WORLD_SIZES } from '../kit/world.ts';
import { PointsAccount, PointsTransaction } from './entities.ts';

const BATCH = 5000;

export async function seedMembership(em: EntityManager, scale: SeedScale): Promise<void> {
  const { users } = WORLD_SIZES[scale];
  for (let start = 0; start < users; start += BATCH) {
    const indexes = Array.from({ length: Math.min(BATCH, users - start) }, (_, k) => start + k);
    await em.insertMany(
      PointsAccount,
      indexes.map((i) => ({ userId: userId(i), balance: seedPoints(i), lifetimePoints: seedPoints(i) })),
    );
    const welcome = indexes.map((i) => ({
      userId: userId(i),
      amount: seedPoints(i),
      reason: 'WELCOME',
      reference: `welcome:${userId(i)}`,
      createdAt: new Date(SEED_EPOCH),
    }));
    // ids are assigned by the database
    await em.insertMany(PointsTransaction, welcome as PointsTransaction[]);
  }
}
