import type { SeedScale } from '../../platform/config.ts';
import type { EntityManager } from '../kit/orm.ts';
import { merchantId, seedMerchant, SEED_EPOCH, seedPoints, userId, WORLD_SIZES } from '../kit/world.ts';
import { MembershipProgram, MemberRight, PointsAccount, PointsTransaction } from './entities.ts';

const BATCH = 5000;

/** Rights anyone's points buy, whatever merchant they earned them at. */
export const PLATFORM_RIGHTS = [
  { id: 'r-coffee', title: '咖啡兑换券', cost: 150, remainingStock: 5000 },
  { id: 'r-movie', title: '电影票', cost: 500, remainingStock: 1000 },
  { id: 'r-hotel', title: '酒店房型升级', cost: 1000, remainingStock: 200 },
];
/** The first merchants also offer a right of their own. */
const MERCHANTS_WITH_RIGHTS = 50;

export async function seedMembership(em: EntityManager, scale: SeedScale): Promise<void> {
  const { users, merchants } = WORLD_SIZES[scale];
  for (let start = 0; start < users; start += BATCH) {
    const indexes = Array.from({ length: Math.min(BATCH, users - start) }, (_, k) => start + k);
    await em.insertMany(
      PointsAccount,
      indexes.map((i) => ({ userId: userId(i), balance: seedPoints(i), lifetimePoints: seedPoints(i), debt: 0 })),
    );
    const welcome = indexes.map((i) => ({
      userId: userId(i),
      amount: seedPoints(i),
      reason: 'WELCOME',
      reference: `welcome:${userId(i)}`,
      merchantId: null,
      createdAt: new Date(SEED_EPOCH),
    }));
    // ids are assigned by the database
    await em.insertMany(PointsTransaction, welcome as PointsTransaction[]);
  }
  for (let start = 0; start < merchants; start += BATCH) {
    const indexes = Array.from({ length: Math.min(BATCH, merchants - start) }, (_, k) => start + k);
    await em.insertMany(MembershipProgram, indexes.map((i) => ({ merchantId: merchantId(i), createdAt: new Date(SEED_EPOCH) })));
  }
  await em.insertMany(MemberRight, [
    ...PLATFORM_RIGHTS.map((r) => ({ ...r, merchantId: null })),
    ...Array.from({ length: Math.min(MERCHANTS_WITH_RIGHTS, merchants) }, (_, i) => ({
      id: `r-${merchantId(i)}`,
      merchantId: merchantId(i),
      title: `${seedMerchant(i).name} 会员礼`,
      cost: 200,
      remainingStock: 100,
    })),
  ]);
}
