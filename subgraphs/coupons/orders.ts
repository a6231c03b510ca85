import { raw, UniqueConstraintViolationException } from '@mikro-orm/core';
import { badUserInput, ErrorCode, plazaError } from '../../platform/errors.ts';
import { newId } from '../kit/ids.ts';
import type { EntityManager } from '../kit/orm.ts';
import { signNotification, verifyNotification, type PaymentNotification } from '../kit/payment-provider.ts';
import type { PaymentProviderConfig } from '../../platform/config.ts';
import type { Peers } from '../kit/peers.ts';
import { checkIdempotencyKey, checkReference } from '../kit/viewer.ts';
import { Coupon, CouponTemplate, Order } from './entities.ts';

/**
 * Orders and checkout. A user opens an order at a merchant, applies coupons (the server
 * prices them), asks to pay, and the payment provider confirms the payment with a signed
 * notification; only then are the coupons redeemed and the points earned. No amount a
 * client sends is trusted beyond the order's own amount, which the user then pays in full.
 */

/** How long an order stays open (and holds its coupons) before another order may take them. */
export const ORDER_LIFETIME_MS = 15 * 60 * 1000;
/** Most coupons one order may hold (all of them stackable). */
export const MAX_COUPONS_PER_ORDER = 3;
/** Largest order: 10,000,000 yuan, in fen. */
export const MAX_ORDER_FEN = 1_000_000_000;

export type OrderStatus = 'OPEN' | 'PAYING' | 'PAID' | 'CANCELLED' | 'EXPIRED' | 'REFUNDED';

/** An OPEN order past its expiry reads as EXPIRED (it can no longer change or be paid). */
export function statusOfOrder(order: Order, now: Date): OrderStatus {
  if (order.status === 'OPEN' && order.expiresAt <= now) return 'EXPIRED';
  return order.status as OrderStatus;
}

function checkFen(argumentName: string, amount: number): number {
  if (!Number.isInteger(amount) || amount <= 0 || amount > MAX_ORDER_FEN) {
    badUserInput(argumentName, `${argumentName} must be a whole number of fen between 1 and ${MAX_ORDER_FEN}`);
  }
  return amount;
}

const notFound = (orderId: string) => plazaError(ErrorCode.ORDER_NOT_FOUND, `No order ${orderId.slice(0, 64)}`);

/** The owner's order; another user's order is reported exactly like a missing one. */
export async function ownOrder(em: EntityManager, ownerId: string, orderId: string): Promise<Order> {
  checkReference('orderId', orderId);
  const order = await em.findOne(Order, { id: orderId, ownerId }, { disableIdentityMap: true });
  if (!order) throw notFound(orderId);
  return order;
}

/** An order's coupons, in the order their discounts are taken. */
export function couponsOfOrder(em: EntityManager, orderId: string): Promise<Coupon[]> {
  return em.find(Coupon, { orderId }, { orderBy: { appliedAt: 'asc', id: 'asc' }, disableIdentityMap: true });
}

export interface Priced {
  discount: number;
  amountToPay: number;
}

/**
 * What an order's coupons take off, in fen. Each coupon's discount is taken from what is
 * left after the coupons before it (never from the full order again), its minimum spend
 * is checked against that remainder, and at least one fen is left to pay.
 * AMOUNT_OFF and AMOUNT_OFF_ABOVE take `value` yuan; PERCENT_OFF takes `value`% rounded down.
 */
export function priceOrder(amount: number, templates: Pick<CouponTemplate, 'kind' | 'value' | 'minSpend'>[]): Priced {
  let left = amount;
  for (const template of templates) {
    if (left < template.minSpend * 100) {
      throw plazaError(ErrorCode.COUPON_MIN_SPEND_NOT_MET, `This coupon needs ¥${template.minSpend} left to pay on the order`);
    }
    const off = template.kind === 'PERCENT_OFF' ? Math.floor((left * template.value) / 100) : template.value * 100;
    left = Math.max(1, left - off);
  }
  return { discount: amount - left, amountToPay: left };
}

/**
 * The stacking rule the offers declare: one coupon per order, unless every coupon on it
 * is of a stackable offer; never two of one offer; at most MAX_COUPONS_PER_ORDER.
 */
export function checkStacking(templates: Pick<CouponTemplate, 'id' | 'stackable'>[]): void {
  if (templates.length <= 1) return;
  if (templates.length > MAX_COUPONS_PER_ORDER) {
    throw plazaError(ErrorCode.COUPON_NOT_STACKABLE, `An order takes at most ${MAX_COUPONS_PER_ORDER} coupons`);
  }
  if (!templates.every((t) => t.stackable)) throw plazaError(ErrorCode.COUPON_NOT_STACKABLE, 'This coupon cannot be combined with the coupons on this order');
  if (new Set(templates.map((t) => t.id)).size !== templates.length) {
    throw plazaError(ErrorCode.COUPON_NOT_STACKABLE, 'Only one coupon of an offer per order');
  }
}

export interface OpenOrderInput {
  ownerId: string;
  merchantId: string;
  amount: number;
  idempotencyKey: string;
}

async function knownOrder(em: EntityManager, input: OpenOrderInput): Promise<Order | null> {
  const order = await em.findOne(Order, { ownerId: input.ownerId, idempotencyKey: input.idempotencyKey }, { disableIdentityMap: true });
  if (order && (order.merchantId !== input.merchantId || order.amount !== input.amount)) {
    throw plazaError(ErrorCode.IDEMPOTENCY_KEY_REUSED, 'This idempotencyKey was already used for another order');
  }
  return order;
}

/** Opens an order at a merchant that exists; retrying with the same key returns the same order. */
export async function openOrder(em: EntityManager, peers: Peers, input: OpenOrderInput): Promise<Order> {
  checkIdempotencyKey(input.idempotencyKey);
  checkReference('merchantId', input.merchantId);
  checkFen('amount', input.amount);
  const retried = await knownOrder(em, input);
  if (retried) return retried;
  const { merchant } = await peers.query<{ merchant: { id: string } | null }>('merchants', 'query($id: ID!) { merchant(id: $id) { id } }', { id: input.merchantId });
  if (!merchant) throw plazaError(ErrorCode.MERCHANT_NOT_FOUND, `No merchant ${input.merchantId}`);
  const now = new Date();
  await em
    .createQueryBuilder(Order)
    .insert({
      id: newId('o'),
      ownerId: input.ownerId,
      merchantId: input.merchantId,
      idempotencyKey: input.idempotencyKey,
      amount: input.amount,
      discount: 0,
      amountToPay: input.amount,
      couponCount: 0,
      status: 'OPEN',
      version: 0,
      createdAt: now,
      expiresAt: new Date(now.getTime() + ORDER_LIFETIME_MS),
      pointsCredited: false,
      pointsReversed: false,
    })
    .onConflict(['ownerId', 'idempotencyKey'])
    .ignore()
    .execute('run');
  return (await knownOrder(em, input))!;
}

/**
 * Takes the owner's OPEN, unexpired order's row lock (a version bump) as a transaction's
 * first statement, so changes to one order serialize; refuses any other order.
 */
async function lockOpenOrder(tx: EntityManager, ownerId: string, orderId: string, now: Date): Promise<void> {
  const locked = await tx.nativeUpdate(
    Order,
    { id: orderId, ownerId, status: 'OPEN', expiresAt: { $gt: now } },
    { version: raw('version + 1') },
  );
  if (locked === 1) return;
  const order = await tx.findOne(Order, { id: orderId, ownerId }, { disableIdentityMap: true });
  if (!order) throw notFound(orderId);
  throw plazaError(ErrorCode.ORDER_NOT_OPEN, `This order is ${statusOfOrder(order, now).toLowerCase()}; its coupons can no longer change`);
}

/** Re-prices an order from the coupons it holds now, inside the transaction that changed them. */
async function reprice(tx: EntityManager, order: Pick<Order, 'id' | 'amount'>, templates: CouponTemplate[]): Promise<void> {
  const { discount, amountToPay } = priceOrder(order.amount, templates);
  await tx.nativeUpdate(Order, { id: order.id }, { discount, amountToPay, couponCount: templates.length });
}

async function templatesOf(tx: EntityManager, coupons: Coupon[]): Promise<CouponTemplate[]> {
  if (!coupons.length) return [];
  const rows = await tx.find(CouponTemplate, { id: { $in: [...new Set(coupons.map((c) => c.templateId))] } }, { disableIdentityMap: true });
  const byId = new Map(rows.map((t) => [t.id, t]));
  return coupons.map((c) => byId.get(c.templateId)!);
}

/**
 * Frees the coupons of an order that expired unpaid, marking it EXPIRED first (a
 * conditional UPDATE, so a payment confirmed meanwhile wins and keeps them).
 */
async function expireOrder(tx: EntityManager, orderId: string, now: Date): Promise<boolean> {
  const expired = await tx.nativeUpdate(
    Order,
    { id: orderId, status: { $in: ['OPEN', 'PAYING'] }, expiresAt: { $lte: now } },
    { status: 'EXPIRED', version: raw('version + 1') },
  );
  if (expired !== 1) return false;
  await tx.nativeUpdate(Coupon, { orderId, status: 'CLAIMED' }, { orderId: null, appliedAt: null });
  return true;
}

/**
 * Changes which coupons the owner's open order holds: `change` runs in one transaction that
 * holds the order's row (see lockOpenOrder), with the time it started; then the order as it is.
 */
async function changeCoupons(
  em: EntityManager,
  ownerId: string,
  orderId: string,
  couponId: string,
  change: (tx: EntityManager, now: Date) => Promise<void>,
): Promise<Order> {
  checkReference('orderId', orderId);
  checkReference('couponId', couponId);
  const now = new Date();
  await em.transactional(async (tx) => {
    await lockOpenOrder(tx, ownerId, orderId, now);
    await change(tx, now);
  });
  return ownOrder(em, ownerId, orderId);
}

/**
 * Applies the owner's coupon to the owner's open order: checks merchant, validity and
 * the stacking rule, reserves the coupon (a conditional UPDATE: one order at a time)
 * and re-prices the order. Applying a coupon the order already holds changes nothing.
 */
export function applyCoupon(em: EntityManager, ownerId: string, orderId: string, couponId: string): Promise<Order> {
  return changeCoupons(em, ownerId, orderId, couponId, async (tx, now) => {
    const order = (await tx.findOne(Order, { id: orderId }, { disableIdentityMap: true }))!;
    const coupon = await tx.findOne(Coupon, { id: couponId, ownerId }, { disableIdentityMap: true });
    // another user's coupon is reported exactly like a missing one
    if (!coupon) throw plazaError(ErrorCode.COUPON_NOT_FOUND, `No coupon ${couponId.slice(0, 64)}`);
    if (coupon.orderId === orderId) return;
    if (coupon.status === 'REDEEMED') throw plazaError(ErrorCode.COUPON_ALREADY_REDEEMED, 'This coupon was already used');
    if (coupon.merchantId !== order.merchantId) {
      throw plazaError(ErrorCode.COUPON_WRONG_MERCHANT, 'This coupon can only be used at the merchant that issued it');
    }
    const [template] = await templatesOf(tx, [coupon]);
    if (now >= template.endsAt) throw plazaError(ErrorCode.COUPON_EXPIRED, 'This coupon has expired');
    const held = await couponsOfOrder(tx, orderId);
    const templates = [...(await templatesOf(tx, held)), template];
    checkStacking(templates);
    priceOrder(order.amount, templates);

    const reserve = () =>
      tx.nativeUpdate(Coupon, { id: coupon.id, ownerId, status: 'CLAIMED', orderId: null }, { orderId, appliedAt: now });
    let reserved = await reserve();
    // held by an order that expired unpaid: that order gives it up, then this one takes it
    if (reserved !== 1 && coupon.orderId && (await expireOrder(tx, coupon.orderId, now))) reserved = await reserve();
    if (reserved !== 1) throw plazaError(ErrorCode.COUPON_IN_USE, 'This coupon is held by another open order; cancel that order to use it here');
    await reprice(tx, order, templates);
  });
}

/** Takes a coupon off the owner's open order and re-prices it; a coupon it does not hold changes nothing. */
export function removeCoupon(em: EntityManager, ownerId: string, orderId: string, couponId: string): Promise<Order> {
  return changeCoupons(em, ownerId, orderId, couponId, async (tx, now) => {
    const released = await tx.nativeUpdate(Coupon, { id: couponId, ownerId, orderId, status: 'CLAIMED' }, { orderId: null, appliedAt: null });
    if (released !== 1) return;
    const order = (await tx.findOne(Order, { id: orderId }, { disableIdentityMap: true }))!;
    const templates = await templatesOf(tx, await couponsOfOrder(tx, orderId));
    // what is left was valid in front of the removed coupon; checked again all the same
    await reprice(tx, order, templates);
  });
}

/** Cancels the owner's unpaid order and releases its coupons; cancelling twice is harmless. */
export async function cancelOrder(em: EntityManager, ownerId: string, orderId: string): Promise<Order> {
  const order = await ownOrder(em, ownerId, orderId);
  if (order.status === 'CANCELLED') return order;
  await em.transactional(async (tx) => {
    const cancelled = await tx.nativeUpdate(
      Order,
      { id: orderId, ownerId, status: { $in: ['OPEN', 'PAYING'] } },
      { status: 'CANCELLED', version: raw('version + 1') },
    );
    if (cancelled !== 1) {
      const now = (await tx.findOneOrFail(Order, { id: orderId }, { disableIdentityMap: true })).status;
      throw plazaError(ErrorCode.ORDER_NOT_OPEN, `This order is ${now.toLowerCase()} and cannot be cancelled`);
    }
    await tx.nativeUpdate(Coupon, { orderId, status: 'CLAIMED' }, { orderId: null, appliedAt: null });
  });
  return ownOrder(em, ownerId, orderId);
}

export interface PaymentRequest {
  order: Order;
  amount: number;
  expiresAt: Date;
  sandbox: boolean;
}

/**
 * Freezes the owner's open order for payment (OPEN -> PAYING: its coupons can no longer
 * change) and returns what the app hands the provider: the order id and the amount to
 * pay, both decided here. Asking again while it is PAYING returns the same request.
 */
export async function payOrder(em: EntityManager, ownerId: string, orderId: string, provider: PaymentProviderConfig): Promise<PaymentRequest> {
  const now = new Date();
  const order = await ownOrder(em, ownerId, orderId);
  if (order.status === 'OPEN' && order.expiresAt > now) {
    await em.nativeUpdate(Order, { id: orderId, ownerId, status: 'OPEN', expiresAt: { $gt: now } }, { status: 'PAYING', version: raw('version + 1') });
  }
  const current = await ownOrder(em, ownerId, orderId);
  if (current.status !== 'PAYING') {
    throw plazaError(ErrorCode.ORDER_NOT_PAYABLE, `This order is ${statusOfOrder(current, now).toLowerCase()} and cannot be paid`);
  }
  return { order: current, amount: current.amountToPay, expiresAt: current.expiresAt, sandbox: provider.sandbox };
}

export interface PaymentOptions {
  /** Told of an order this call made PAID, once its transaction committed (never for a redelivery). Optional. */
  paid?: (order: Pick<Order, 'id' | 'ownerId' | 'merchantId'>) => void;
}

export interface NotificationReceipt {
  orderId: string;
  status: OrderStatus;
  /** True when this notification (or another for the same payment) was already applied. */
  duplicate: boolean;
}

const CREDIT = `mutation Credit($orderId: ID!, $userId: ID!, $merchantId: ID!, $amountPaid: Int!) {
  creditOrderPoints(orderId: $orderId, userId: $userId, merchantId: $merchantId, amountPaid: $amountPaid)
}`;
const REVERSE = `mutation Reverse($orderId: ID!, $userId: ID!) { reverseOrderPoints(orderId: $orderId, userId: $userId) }`;

/**
 * Has the membership service post the points of a paid order (or take back those of a
 * refunded one), then notes it on the order. The membership ledger's unique reference
 * per order makes the call safe to repeat; if it fails the order keeps its flag unset and
 * the provider's redelivery of the notification repeats the call (the outbox pattern).
 */
async function settlePoints(em: EntityManager, peers: Peers, order: Order): Promise<void> {
  if (order.status === 'PAID' && !order.pointsCredited) {
    await peers.query('membership', CREDIT, { orderId: order.id, userId: order.ownerId, merchantId: order.merchantId, amountPaid: order.amountPaid });
    await em.nativeUpdate(Order, { id: order.id }, { pointsCredited: true });
  }
  if (order.status === 'REFUNDED' && !order.pointsReversed) {
    await peers.query('membership', REVERSE, { orderId: order.id, userId: order.ownerId });
    await em.nativeUpdate(Order, { id: order.id }, { pointsReversed: true });
  }
}

/**
 * Applies one provider notification. Every case has one outcome:
 * - forged or altered (signature does not verify): PAYMENT_SIGNATURE_INVALID, nothing read or written;
 * - a payment for an order that is not waiting for one (OPEN, CANCELLED, EXPIRED) or made after
 *   the order expired: ORDER_NOT_PAYABLE, nothing written (the provider refunds the payer);
 * - a payment of another amount than the order's amountToPay: PAYMENT_AMOUNT_MISMATCH, nothing written;
 * - a second payment (another transaction) for a paid order: ORDER_ALREADY_PAID, nothing written;
 * - the same payment again (redelivered, late or concurrent): `duplicate`, nothing more written;
 * - a refund before its payment was confirmed (out of order): ORDER_NOT_PAID, nothing written, so
 *   the provider's redelivery applies it once the payment is in;
 * - a confirmed payment: the order PAID, its coupons REDEEMED and the points credited, once.
 */
export async function applyNotification(
  em: EntityManager,
  peers: Peers,
  provider: PaymentProviderConfig,
  payload: string,
  signature: string,
  options: PaymentOptions = {},
): Promise<NotificationReceipt> {
  const notification = verifyNotification(payload, signature, provider.key);
  const order = await em.findOne(Order, { id: notification.orderId }, { disableIdentityMap: true });
  if (!order) throw notFound(notification.orderId);
  const duplicate =
    notification.type === 'PAYMENT_SUCCEEDED' ? await confirmPayment(em, order, notification) : await confirmRefund(em, order, notification);
  // committed, and by this delivery: the payment-success page hears it before the points are settled
  if (notification.type === 'PAYMENT_SUCCEEDED' && !duplicate) options.paid?.(order);
  const settled = await em.findOneOrFail(Order, { id: order.id }, { disableIdentityMap: true });
  await settlePoints(em, peers, settled);
  return { orderId: settled.id, status: settled.status as OrderStatus, duplicate };
}

/** Returns whether the payment had been applied already. */
async function confirmPayment(em: EntityManager, order: Order, notification: PaymentNotification): Promise<boolean> {
  if (order.transactionId !== null) {
    if (order.transactionId === notification.transactionId) return true;
    throw plazaError(ErrorCode.ORDER_ALREADY_PAID, 'This order was already paid by another payment; refund this one');
  }
  if (order.status !== 'PAYING' || Date.parse(notification.occurredAt) > order.expiresAt.getTime()) {
    throw plazaError(ErrorCode.ORDER_NOT_PAYABLE, 'This order was not waiting for this payment; refund it');
  }
  if (notification.amount !== order.amountToPay) {
    throw plazaError(ErrorCode.PAYMENT_AMOUNT_MISMATCH, `This order is paid with ${order.amountToPay} fen, not ${notification.amount}`);
  }
  const paidAt = new Date(notification.occurredAt);
  try {
    const applied = await em.transactional(async (tx) => {
      const paid = await tx.nativeUpdate(
        Order,
        { id: order.id, status: 'PAYING', transactionId: null, amountToPay: notification.amount },
        { status: 'PAID', paidAt, transactionId: notification.transactionId, amountPaid: notification.amount, version: raw('version + 1') },
      );
      if (paid !== 1) return false;
      const redeemed = await tx.nativeUpdate(Coupon, { orderId: order.id, status: 'CLAIMED' }, { status: 'REDEEMED', redeemedAt: paidAt });
      // a PAYING order's coupons cannot change, and one that lost them is EXPIRED, not PAYING
      if (redeemed !== order.couponCount) throw new Error(`order ${order.id} holds ${redeemed} of its ${order.couponCount} coupons`);
      return true;
    });
    if (applied) return false;
  } catch (error) {
    if (!(error instanceof UniqueConstraintViolationException)) throw error;
    throw plazaError(ErrorCode.PAYMENT_NOTIFICATION_INVALID, 'This transaction already paid another order');
  }
  // a concurrent delivery changed the order first: answer as its twin would now
  return confirmPayment(em, (await em.findOneOrFail(Order, { id: order.id }, { disableIdentityMap: true })), notification);
}

/** Returns whether the refund had been applied already. Only whole payments are refunded. */
async function confirmRefund(em: EntityManager, order: Order, notification: PaymentNotification): Promise<boolean> {
  if (order.status === 'REFUNDED') {
    if (order.refundId === notification.refundId) return true;
    throw plazaError(ErrorCode.ORDER_NOT_PAID, 'This order was already refunded');
  }
  if (order.status !== 'PAID') throw plazaError(ErrorCode.ORDER_NOT_PAID, 'This order has no confirmed payment to refund yet');
  if (notification.transactionId !== order.transactionId) {
    throw plazaError(ErrorCode.PAYMENT_NOTIFICATION_INVALID, 'This refund names another payment than the order’s');
  }
  if (notification.amount !== order.amountPaid) {
    throw plazaError(ErrorCode.PAYMENT_AMOUNT_MISMATCH, `Only whole payments are refunded: ${order.amountPaid} fen, not ${notification.amount}`);
  }
  const refunded = await em.nativeUpdate(
    Order,
    { id: order.id, status: 'PAID' },
    { status: 'REFUNDED', refundedAt: new Date(notification.occurredAt), refundId: notification.refundId!, version: raw('version + 1') },
  );
  if (refunded === 1) return false;
  return confirmRefund(em, await em.findOneOrFail(Order, { id: order.id }, { disableIdentityMap: true }), notification);
}

/**
 * Development only: plays the provider for the owner's order. It requests the payment
 * (payOrder), then signs a PAYMENT_SUCCEEDED notification for the amount Plaza asked for
 * with the sandbox key and applies it exactly as a real one.
 */
export async function sandboxPay(em: EntityManager, peers: Peers, provider: PaymentProviderConfig, ownerId: string, orderId: string, options: PaymentOptions = {}): Promise<Order> {
  if (!provider.sandbox) throw plazaError(ErrorCode.SANDBOX_DISABLED, 'The sandbox payment provider is off here');
  const existing = await ownOrder(em, ownerId, orderId);
  if (existing.status !== 'PAID') {
    const request = await payOrder(em, ownerId, orderId, provider);
    const payload = JSON.stringify({
      id: newId('ntf'),
      type: 'PAYMENT_SUCCEEDED',
      orderId,
      transactionId: newId('sandbox'),
      amount: request.amount,
      occurredAt: new Date().toISOString(),
    } satisfies PaymentNotification);
    await applyNotification(em, peers, provider, payload, signNotification(payload, provider.key), options);
  }
  return ownOrder(em, ownerId, orderId);
}
