import { defineEntity, type InferEntity } from '@mikro-orm/core';
import { bilingual, validity } from '../kit/properties.ts';

export const CouponTemplate = defineEntity({
  name: 'CouponTemplate',
  tableName: 'coupon_templates',
  properties: (p) => ({
    id: p.string().primary(),
    merchantId: p.string(),
    ...bilingual('title'),
    kind: p.string(),
    value: p.integer(),
    minSpend: p.integer(),
    totalStock: p.integer(),
    /** Only ever changed by a conditional UPDATE that keeps it >= 0 (see service.ts). */
    remainingStock: p.integer(),
    perUserLimit: p.integer(),
    channel: p.string(),
    /** Whether its coupons combine with other stackable coupons on one order (by default one coupon per order). */
    stackable: p.boolean().default(false),
    status: p.string().default('ACTIVE'),
    ...validity(),
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
    /**
     * The order holding it: set when applied to an open order (a reservation), kept when
     * that order is paid (REDEEMED). Only ever changed by conditional UPDATEs (see orders.ts).
     */
    orderId: p.string().nullable(),
    /** When it was applied to its order: discounts are taken in this order. */
    appliedAt: p.datetime().nullable(),
  }),
  uniques: [{ properties: ['ownerId', 'idempotencyKey'] }, { properties: ['ownerId', 'templateId', 'slot'] }],
  // a user's coupons, newest first: the User.coupons access path; an order's coupons
  // a user's coupons; an order's; an offer's claims by time (the merchant's figures)
  indexes: [{ properties: ['ownerId', 'claimedAt'] }, { properties: ['orderId'] }, { properties: ['templateId', 'claimedAt'] }],
});
export type Coupon = InferEntity<typeof Coupon>;

/**
 * An order a user opened at a merchant. Amounts are integer fen. Its status moves only
 * by conditional UPDATEs: OPEN (coupons may change) -> PAYING (amount frozen, sent to the
 * provider) -> PAID (confirmed by the provider's signed notification) -> REFUNDED; or
 * OPEN/PAYING -> CANCELLED (by its owner) or EXPIRED (past expiresAt, when its coupons
 * are wanted elsewhere).
 */
export const Order = defineEntity({
  name: 'Order',
  tableName: 'orders',
  properties: (p) => ({
    id: p.string().primary(),
    ownerId: p.string(),
    merchantId: p.string(),
    /** The client's key for opening it: the unique (owner, key) index makes retries return the same order. */
    idempotencyKey: p.string(),
    amount: p.integer(),
    /** Computed by the server from the coupons it holds, never sent by a client. */
    discount: p.integer(),
    amountToPay: p.integer(),
    couponCount: p.integer(),
    status: p.string(),
    /** Bumped by every change, so concurrent changes to one order serialize on its row. */
    version: p.integer(),
    createdAt: p.datetime(),
    expiresAt: p.datetime(),
    paidAt: p.datetime().nullable(),
    /** The provider's payment id, from its notification. */
    transactionId: p.string().nullable().unique(),
    amountPaid: p.integer().nullable(),
    /** Whether the membership service has credited the points of this payment (an outbox flag). */
    pointsCredited: p.boolean().default(false),
    refundedAt: p.datetime().nullable(),
    refundId: p.string().nullable(),
    /** Whether the membership service has taken back the points of this refund. */
    pointsReversed: p.boolean().default(false),
  }),
  uniques: [{ properties: ['ownerId', 'idempotencyKey'] }],
  // a user's orders; a merchant's paid orders by time (its repurchase figures)
  indexes: [{ properties: ['ownerId', 'createdAt'] }, { properties: ['merchantId', 'paidAt'] }],
});
export type Order = InferEntity<typeof Order>;

export const entities = [CouponTemplate, Coupon, Order];
