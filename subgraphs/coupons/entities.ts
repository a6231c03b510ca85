import { defineEntity, type InferEntity } from '@mikro-orm/core';

export const CouponTemplate = defineEntity({
  name: 'CouponTemplate',
  tableName: 'coupon_templates',
  properties: (p) => ({
    id: p.string().primary(),
    merchantId: p.string(),
    title: p.string(),
    kind: p.string(),
    value: p.integer(),
    minSpend: p.integer(),
    totalStock: p.integer(),
    /** Only ever changed by a conditional UPDATE that keeps it >= 0 (see service.ts). */
    remainingStock: p.integer(),
    perUserLimit: p.integer(),
    channel: p.string(),
    status: p.string().default('ACTIVE'),
    startsAt: p.datetime(),
    endsAt: p.datetime(),
  }),
  // offers of a merchant, in id order: the Merchant.offers access path
  indexes: [{ properties: ['merchantId', 'id'] }],
});
export type CouponTemplate = InferEntity<typeof CouponTemplate>;

export const Coupon = defineEntity({
  name: 'Coupon',
  tableName: 'coupons',
  properties: (p) => ({
    id: p.string().primary(),
    templateId: p.string(),
    merchantId: p.string(),
    ownerId: p.string(),
    /** 1..perUserLimit: the unique (owner, template, slot) index enforces the per-user limit in the database. */
    slot: p.integer(),
    /** The client's key for the claim: the unique (owner, key) index makes retries return the same coupon. */
    idempotencyKey: p.string(),
    code: p.string().unique(),
    status: p.string(),
    claimedAt: p.datetime(),
    redeemedAt: p.datetime().nullable(),
    paymentId: p.string().nullable(),
    orderAmount: p.integer().nullable(),
    discount: p.integer().nullable(),
  }),
  uniques: [{ properties: ['ownerId', 'idempotencyKey'] }, { properties: ['ownerId', 'templateId', 'slot'] }],
  // a user's coupons, newest first: the User.coupons access path
  indexes: [{ properties: ['ownerId', 'claimedAt'] }],
});
export type Coupon = InferEntity<typeof Coupon>;

export const entities = [CouponTemplate, Coupon];
