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

export const entities = [CouponTemplate];
