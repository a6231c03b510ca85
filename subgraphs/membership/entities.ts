import { defineEntity, type InferEntity } from '@mikro-orm/core';

/** balance is only changed together with a ledger row, in one transaction, by conditional UPDATEs. */
export const PointsAccount = defineEntity({
  name: 'PointsAccount',
  tableName: 'points_accounts',
  properties: (p) => ({
    userId: p.string().primary(),
    balance: p.integer(),
    lifetimePoints: p.integer(),
    /** Points a refund could not take back because they were spent; later earnings repay it first. */
    debt: p.integer().default(0),
  }),
});
export type PointsAccount = InferEntity<typeof PointsAccount>;

/** Append-only: a balance is the sum of its account's transactions. */
export const PointsTransaction = defineEntity({
  name: 'PointsTransaction',
  tableName: 'points_transactions',
  properties: (p) => ({
    id: p.integer().primary().autoincrement(),
    userId: p.string(),
    amount: p.integer(),
    reason: p.string(),
    /** What caused it; unique per user, so a retried payment or exchange can never post twice. */
    reference: p.string(),
    merchantId: p.string().nullable(),
    createdAt: p.datetime(),
  }),
  uniques: [{ properties: ['userId', 'reference'] }],
  indexes: [{ properties: ['userId', 'merchantId'] }, { properties: ['reference'] }],
});
export type PointsTransaction = InferEntity<typeof PointsTransaction>;

export const MemberRight = defineEntity({
  name: 'MemberRight',
  tableName: 'member_rights',
  properties: (p) => ({
    id: p.string().primary(),
    merchantId: p.string().nullable().index(),
    title: p.string(),
    cost: p.integer(),
    /** Only ever changed by a conditional UPDATE that keeps it >= 0. */
    remainingStock: p.integer(),
  }),
});
export type MemberRight = InferEntity<typeof MemberRight>;

export const Exchange = defineEntity({
  name: 'Exchange',
  tableName: 'exchanges',
  properties: (p) => ({
    id: p.string().primary(),
    userId: p.string(),
    idempotencyKey: p.string(),
    rightId: p.string(),
    pointsSpent: p.integer(),
    voucherCode: p.string(),
    createdAt: p.datetime(),
  }),
  uniques: [{ properties: ['userId', 'idempotencyKey'] }],
});
export type Exchange = InferEntity<typeof Exchange>;

export const Membership = defineEntity({
  name: 'Membership',
  tableName: 'memberships',
  properties: (p) => ({
    userId: p.string().primary(),
    merchantId: p.string().primary().index(),
    joinedAt: p.datetime(),
  }),
});
export type Membership = InferEntity<typeof Membership>;

/** A merchant's membership program; users join programs that exist. */
export const MembershipProgram = defineEntity({
  name: 'MembershipProgram',
  tableName: 'membership_programs',
  properties: (p) => ({
    merchantId: p.string().primary(),
    createdAt: p.datetime(),
  }),
});
export type MembershipProgram = InferEntity<typeof MembershipProgram>;

export const entities = [PointsAccount, PointsTransaction, MemberRight, Exchange, Membership, MembershipProgram];
