import { defineEntity, type InferEntity } from '@mikro-orm/core';

export const PointsAccount = defineEntity({
  name: 'PointsAccount',
  tableName: 'points_accounts',
  properties: (p) => ({
    userId: p.string().primary(),
    balance: p.integer(),
    lifetimePoints: p.integer(),
  }),
});
export type PointsAccount = InferEntity<typeof PointsAccount>;

/** Append-only: a balance is the sum of its account's transactions. */
export const PointsTransaction = defineEntity({
  name: 'PointsTransaction',
  tableName: 'points_transactions',
  properties: (p) => ({
    id: p.integer().primary().autoincrement(),
    userId: p.string().index(),
    amount: p.integer(),
    reason: p.string(),
    reference: p.string(),
    createdAt: p.datetime(),
  }),
});
export type PointsTransaction = InferEntity<typeof PointsTransaction>;

export const entities = [PointsAccount, PointsTransaction];
